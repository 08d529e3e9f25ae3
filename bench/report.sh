#!/usr/bin/env bash
# bench/report.sh RAW.tsv META_JSON OUT.json: medians, ratios and targets
# from bench/run.sh's raw samples (ROUND PATH METRIC VALUE, tab-separated);
# prints the table and one "bench: PASS|FAIL|SKIP TARGET: ..." line per
# target, writes OUT.json. Exit 0 if no target FAILed, 1 if one did.
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: bench/report.sh RAW.tsv META_JSON OUT.json" >&2; exit 2; }
raw=$1 meta=$2 out=$3

results=$(jq -R -s --argjson meta "$meta" '
  def median: sort | if length == 0 then null
      elif length % 2 == 1 then .[(length - 1) / 2]
      else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def ratio(a; b): if a == null or b == null then null
      elif b == 0 then (if a == 0 then null else "inf" end)
      else (a / b * 1000 | round / 1000) end;
  def maxn(a; b): [a, b] | map(select(. != null)) | max;
  def minn(a; b): [a, b] | map(select(. != null)) | min;

  [split("\n")[] | select(length > 0) | split("\t")
   | {round: (.[0] | tonumber), path: .[1], metric: .[2], value: (.[3] | tonumber)}] as $s
  | ["veth", "linux-bridge", "ovs", "ovs-tso", "switchyard", "switchyard-user"] as $order
  | ($s | map(.path) | unique) as $seen
  | ([$order[] | select(. as $p | $seen | index($p))]
     + ($seen - $order)) as $paths
  | ($paths | map(. as $p | {key: $p, value:
        ($s | map(select(.path == $p)) | group_by(.metric)
         | map({key: .[0].metric, value: {median: (map(.value) | median),
                                          samples: map(.value)}})
         | from_entries)}) | from_entries) as $by
  | def m(p; k): $by[p][k].median;
    {ovs_best: {
        tcp_on_gbps: maxn(m("ovs"; "tcp_on_gbps"); m("ovs-tso"; "tcp_on_gbps")),
        tcp_off_gbps: maxn(m("ovs"; "tcp_off_gbps"); m("ovs-tso"; "tcp_off_gbps")),
        udp_pps: maxn(m("ovs"; "udp_pps"); m("ovs-tso"; "udp_pps")),
        udp_max_pps: maxn(m("ovs"; "udp_max_pps"); m("ovs-tso"; "udp_max_pps")),
        ping_ms: minn(m("ovs"; "ping_ms"); m("ovs-tso"; "ping_ms"))}} as $best
  | ["tcp_on_gbps", "tcp_off_gbps", "udp_pps", "udp_max_pps", "ping_ms"] as $rm
  | {
      meta: $meta,
      paths: $by,
      ratios: {
        switchyard_vs_linux_bridge: ($rm | map({key: ., value: ratio(m("switchyard"; .); m("linux-bridge"; .))}) | from_entries),
        switchyard_vs_ovs_best: ($rm | map({key: ., value: ratio(m("switchyard"; .); $best.ovs_best[.])}) | from_entries),
        switchyard_vs_ovs: ($rm | map({key: ., value: ratio(m("switchyard"; .); m("ovs"; .))}) | from_entries),
        switchyard_vs_veth: ($rm | map({key: ., value: ratio(m("switchyard"; .); m("veth"; .))}) | from_entries),
        # The same bridge with flow-offload=false: every packet through flowd.
        switchyard_user_vs_linux_bridge: ($rm | map({key: ., value: ratio(m("switchyard-user"; .); m("linux-bridge"; .))}) | from_entries),
        switchyard_user_vs_ovs_best: ($rm | map({key: ., value: ratio(m("switchyard-user"; .); $best.ovs_best[.])}) | from_entries),
        # Targets 5 and 6: how many times OVS'"'"'s figure switchyard reaches
        # (flows/s), how many times faster it is (times), how much of
        # OVS'"'"'s memory it uses (RSS).
        openflow_switchyard_vs_ovs: {
          flow_setup_fps: ratio(m("switchyard"; "flow_setup_fps"); m("ovs"; "flow_setup_fps")),
          add_speedup: ratio(m("ovs"; "ofctl_add_s"); m("switchyard"; "ofctl_add_s")),
          dump_speedup: ratio(m("ovs"; "ofctl_dump_s"); m("switchyard"; "ofctl_dump_s")),
          del_speedup: ratio(m("ovs"; "ofctl_del_s"); m("switchyard"; "ofctl_del_s")),
          total_speedup: ratio(m("ovs"; "ofctl_total_s"); m("switchyard"; "ofctl_total_s")),
          rss: ratio(m("switchyard"; "rss_mib"); m("ovs"; "rss_mib"))
        }
      }
    }
  | .ratios as $r
  | def judge(name; v; ok; need):
      {target: name, value: v, need: need,
       status: (if v == null then "FAIL" elif ok then "PASS" else "FAIL" end)};
    # The same, or SKIP when the run left out the paths it compares.
    ($meta.phases // "traffic openflow classifier" | split(" ")) as $phases
    | ($meta.paths // "" | split(" ")) as $traffic_paths
    | def judge_on(needed; name; v; ok; need):
      (needed - (if ($phases | index("traffic")) then $traffic_paths else [] end)) as $missing
      | if ($missing | length) > 0
        then {target: name, status: "SKIP", reason: "not measured (\($missing | join(", ")) not run: see BENCH_PHASES, BENCH_PATHS)"}
        else judge(name; v; ok; need) end;
    def num(v): if v == "inf" then 1e300 else v end;
    .targets = [
      judge_on(["switchyard", "linux-bridge"]; "tcp-offloads-on"; $r.switchyard_vs_linux_bridge.tcp_on_gbps;
            num($r.switchyard_vs_linux_bridge.tcp_on_gbps) >= 0.8; ">= 0.8 x Linux bridge"),
      judge_on(["switchyard"]; "tcp-offloads-off"; $r.switchyard_vs_ovs_best.tcp_off_gbps;
            num($r.switchyard_vs_ovs_best.tcp_off_gbps) >= 3; ">= 3 x OVS netdev (best)"),
      (m("switchyard"; "udp_loss_pct") as $loss
       | judge_on(["switchyard", "linux-bridge"]; "udp-64b"; $r.switchyard_vs_linux_bridge.udp_pps;
            num($r.switchyard_vs_linux_bridge.udp_pps) >= 0.8 and $loss != null and $loss < 5;
            ">= 0.8 x Linux bridge, loss < 5%; loss \($loss // "?")%")),
      # Against OVS, the capacity test: the paced one cannot show more
      # than the offered rate over what OVS keeps of it.
      judge_on(["switchyard"]; "udp-64b-vs-ovs"; $r.switchyard_vs_ovs_best.udp_max_pps;
            num($r.switchyard_vs_ovs_best.udp_max_pps) >= 2; ">= 2 x OVS netdev (best), unpaced capacity test"),
      judge_on(["switchyard", "linux-bridge"]; "latency"; $r.switchyard_vs_linux_bridge.ping_ms;
            num($r.switchyard_vs_linux_bridge.ping_ms) <= 2; "<= 2 x Linux bridge RTT"),
      (m("switchyard"; "idle_cpu_pct") as $c
       | judge_on(["switchyard"]; "idle-cpu"; $c; $c != null and $c < 1; "< 1% of a core for an idle flowd")),
      ($r.openflow_switchyard_vs_ovs) as $o
      | ($phases | index("openflow") != null) as $fs_run
      | $fs_run as $cp_run
      | (if $fs_run then judge("flow-setup"; $o.flow_setup_fps; num($o.flow_setup_fps) >= 2;
                             ">= 2 x OVS netdev new 5-tuple flows/s")
         else {target: "flow-setup", status: "SKIP", reason: "not measured (BENCH_PHASES without openflow)"} end),
        (if $cp_run then judge("add-flows"; $o.total_speedup; num($o.total_speedup) >= 3;
                             ">= 3 x faster than ovs-ofctl/ovs-vswitchd, add+dump+del of \($meta.control_plane_rules) rules")
         else {target: "add-flows", status: "SKIP", reason: "not measured (BENCH_PHASES without openflow)"} end),
        (if $cp_run then judge("flows-rss"; $o.rss; $o.rss != null and num($o.rss) <= 0.5;
                             "<= 0.5 x ovs-vswitchd RSS with the rules in")
         else {target: "flows-rss", status: "SKIP", reason: "not measured (BENCH_PHASES without openflow)"} end),
      {target: "classifier", status: "SKIP", reason: "no ratio to judge; bench/run-classifier.sh prints lookups/s below"}
    ]
' "$raw")

# Keep the JSON even if printing fails below.
tmp=$out.tmp.$$
printf '%s\n' "$results" > "$tmp" && mv "$tmp" "$out"

jq -r '
  def n: if . == null then "-" else tostring end;
  .meta as $m
  | ([.paths[] | has("ping_ms") or has("tcp_on_gbps") or has("udp_pps")] | any) as $traffic
  | "switchyard \($m.switchyard), Open vSwitch \($m.openvswitch), \($m.cpus) CPUs, kernel \($m.kernel)",
    "\($m.rounds) rounds interleaved, medians; iperf3 \($m.seconds) s per test; 64 B UDP offered at \($m.udp_offered_pps) pps; \($m.pings) pings at 10 ms",
    "machine busy before/after (all its users): \($m.machine_busy_pct_before)% / \($m.machine_busy_pct_after)%, load \($m.loadavg_before) -> \($m.loadavg_after); \($m.duration_s) s",
    "",
    (select($traffic) | ["H", "path", "TCP on Gb/s", "TCP off Gb/s", "UDP kpps", "UDP loss%", "max kpps", "max loss%", "RTT ms", "idle CPU%"] | @tsv),
    (.paths | to_entries[] | .key as $p | .value
     | select(has("ping_ms") or has("tcp_on_gbps") or has("udp_pps") or has("idle_cpu_pct"))
     | ["V", ({"veth": "veth pair (limit)", "linux-bridge": "Linux bridge", "ovs": "OVS netdev",
          "ovs-tso": "OVS netdev+TSO", "switchyard": "switchyard",
          "switchyard-user": "sy no offload"}[$p] // $p),
        (.tcp_on_gbps.median | n), (.tcp_off_gbps.median | n),
        (if .udp_pps.median == null then null else .udp_pps.median / 1000 end | n),
        (.udp_loss_pct.median | n),
        (if .udp_max_pps.median == null then null else .udp_max_pps.median / 1000 end | n),
        (.udp_max_loss_pct.median | n), (.ping_ms.median | n),
        (.idle_cpu_pct.median | n)] | @tsv),
    (select($traffic) | .ratios | to_entries[]
     | select(.key == "switchyard_vs_linux_bridge" or .key == "switchyard_vs_ovs_best" or .key == "switchyard_vs_ovs"
              or .key == "switchyard_user_vs_linux_bridge" or .key == "switchyard_user_vs_ovs_best")
     | .value as $r
     | select([$r[] | select(. != null)] | length > 0)
     | ["R", ({"switchyard_vs_linux_bridge": "sy / Linux bridge", "switchyard_vs_ovs_best": "sy / OVS best",
          "switchyard_vs_ovs": "sy / OVS", "switchyard_user_vs_linux_bridge": "no-offl / Linux br",
          "switchyard_user_vs_ovs_best": "no-offl / OVS best"}[.key]),
        ($r.tcp_on_gbps | n), ($r.tcp_off_gbps | n), ($r.udp_pps | n), "", ($r.udp_max_pps | n), "",
        ($r.ping_ms | n), ""] | @tsv)
' "$out" | awk -F'\t' '
    BEGIN { split("2 2 1 2 1 1 3 2", dec, " ") }   # decimals of the figures, in order
    $1 != "H" && $1 != "V" && $1 != "R" { print; next }
    {
        printf "%-18s", $2
        for (i = 3; i <= NF; i++) {
            v = $i
            if (v ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) {
                v = sprintf("%." ($1 == "R" ? 2 : dec[i - 2]) "f", v)
                if ($1 == "R") v = v "x"
            }
            printf " %12s", v
        }
        printf "\n"
    }'
echo

# Targets 5 and 6, when measured: their own table.
if jq -e '[.paths[] | has("flow_setup_fps") or has("ofctl_add_s")] | any' "$out" >/dev/null; then
    jq -r '
      def n: if . == null then "-" else tostring end;
      .meta as $m
      | "OpenFlow: new 5-tuple UDP flows offered at \($m.flow_setup_offered_pps) pps (0: unpaced) for \($m.seconds) s; add/dump/del-flows of \($m.control_plane_rules) rules",
        (["H", "path", "flows/s", "loss%", "upcalls", "dp flows", "add s", "dump s", "del s", "total s", "RSS MiB", "idle MiB"] | @tsv),
        (.paths | to_entries[] | select(.key == "ovs" or .key == "switchyard") | .key as $p | .value
         | select(has("flow_setup_fps") or has("ofctl_add_s"))
         | ["V", ({"ovs": "OVS netdev", "switchyard": "switchyard"}[$p]),
            (.flow_setup_fps.median | n), (.flow_setup_loss_pct.median | n),
            (.flow_setup_upcalls.median | n), (.flow_setup_dp_flows.median | n),
            (.ofctl_add_s.median | n), (.ofctl_dump_s.median | n), (.ofctl_del_s.median | n),
            (.ofctl_total_s.median | n), (.rss_mib.median | n), (.rss_idle_mib.median | n)] | @tsv),
        (.ratios.openflow_switchyard_vs_ovs as $o
         | ["R", "sy vs OVS", ($o.flow_setup_fps | n), "", "", "",
            ($o.add_speedup | n), ($o.dump_speedup | n), ($o.del_speedup | n),
            ($o.total_speedup | n), ($o.rss | n), ""] | @tsv),
        "(flows/s: sy / OVS; times: how many times faster sy is; RSS: sy / OVS)"
    ' "$out" | awk -F'\t' '
        BEGIN { split("0 2 0 0 2 2 2 2 1 1", dec, " ") }
        $1 != "H" && $1 != "V" && $1 != "R" { print; next }
        {
            printf "%-18s", $2
            for (i = 3; i <= NF; i++) {
                v = $i
                if (v ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) {
                    v = sprintf("%." ($1 == "R" ? 2 : dec[i - 2]) "f", v)
                    if ($1 == "R") v = v "x"
                }
                printf " %10s", v
            }
            printf "\n"
        }'
    echo
fi

jq -r '.targets[]
  | if .status == "SKIP" then "bench: SKIP \(.target): \(.reason)"
    else "bench: \(.status) \(.target): \(if .value == null then "no figure" elif .value == "inf" then "inf"
         else (.value * 1000 | round / 1000 | tostring) end) (need \(.need))" end' "$out"
echo "bench: results in $out" >&2

jq -e '[.targets[] | select(.status == "FAIL")] | length == 0' "$out" >/dev/null
