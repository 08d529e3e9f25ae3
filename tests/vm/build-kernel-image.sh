#!/usr/bin/env bash
# build-kernel-image.sh: prepare the guest image for the kernel datapath
# tests (tests/bats/kernel-*.bats) in tests/vm/cache/ (gitignored):
#
#   cache/vmlinuz               the stock Debian cloud kernel that
#                               build-image.sh fetches (reused, not refetched)
#   cache/kernel-initramfs.gz   busybox-static, tests/vm/kernel-init as /init,
#                               the test scripts (kernel-tests.sh,
#                               kernel-flowd-tests.sh, ktest-lib.sh), the
#                               openvswitch module with its dependencies,
#                               veth, the vport-vxlan/geneve/gre modules,
#                               sch_tbf (egress shaping), bonding and
#                               bridge (the far side of flowd's bonds);
#                               dp, flowd, portd and ofctl from BINDIR,
#                               iproute2's ip (for namespaces), iperf3 (a
#                               burst of flows), Debian's ovs-dpctl (the
#                               third-party check) and tcpdump (captures
#                               and decodes sFlow), each with the shared
#                               libraries it loads; an /etc/passwd with
#                               root, for tcpdump -Z root
#
#   build-kernel-image.sh BINDIR
#
# Rebuilt only when an input is newer than the image. Prints the two paths.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 BINDIR" >&2; exit 2; }
bindir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cache=${SY_VM_CACHE:-$here/cache}

log() { echo "build-kernel-image: $*" >&2; }

# The kernel (download, unpack, depmod) is build-image.sh's job.
"$here/build-image.sh" > /dev/null
release=$(ls "$cache/kernel/lib/modules" | head -n 1)
moddir=$cache/kernel/lib/modules/$release
image=$cache/kernel-initramfs.gz

programs=(dp flowd portd ofctl tunnel)
scripts=(kernel-tests.sh kernel-flowd-tests.sh ktest-lib.sh)
inputs=("$here/kernel-init" "$0" "$moddir/modules.dep")
for f in "${programs[@]}"; do inputs+=("$bindir/$f"); done
for f in "${scripts[@]}"; do inputs+=("$here/$f"); done
fresh=1
[ -s "$image" ] || fresh=0
for f in "${inputs[@]}"; do
    [ "$fresh" = 1 ] && [ "$f" -nt "$image" ] && fresh=0
done
if [ "$fresh" = 1 ]; then
    echo "$cache/vmlinuz"
    echo "$image"
    exit 0
fi

for tool in ovs-dpctl ip iperf3 tcpdump; do
    command -v "$tool" > /dev/null || { log "$tool is missing (apt-get install openvswitch-common iproute2 iperf3 tcpdump)"; exit 1; }
done

# add_module NAME: NAME's module path (relative to $moddir) goes to
# $order after the modules it depends on; nothing for a built-in.
declare -A seen=()
order=()
add_module() {
    local name=$1 line path dep
    line=$(grep -E "(^|/)$name\.ko(\.[a-z]+)?:" "$moddir/modules.dep" || true)
    [ -n "$line" ] || return 0
    path=${line%%:*}
    [ -z "${seen[$path]:-}" ] || return 0
    seen[$path]=1
    for dep in ${line#*:}; do
        dep=$(basename "$dep")
        add_module "${dep%%.ko*}"
    done
    order+=("$path")
}
# sch_tbf: egress shaping of kernel datapath ports; bonding and bridge:
# Linux's own bond (active-backup, 802.3ad) and bridge on the far side of
# flowd's bonds.
for m in openvswitch veth vport-vxlan vport-geneve vport-gre sch_tbf bonding bridge; do
    add_module "$m"
done

root=$(mktemp -d "$cache/kroot.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,etc,proc,sys,tmp,run,modules,lib64,usr/bin,usr/sbin,var/run}
echo 'root:x:0:0:root:/:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"

# copy_program FILE DEST: FILE and every library ldd says it loads, at the
# same paths, so the guest's loader finds them.
copy_program() {
    local file=$1 dest=$2 lib
    install -D -m 0755 "$file" "$root$dest"
    for lib in $(ldd "$file" | awk '/=> \// { print $3 } /^[[:space:]]*\/lib/ { print $1 }'); do
        [ -e "$root$lib" ] || install -D -m 0755 "$lib" "$root$lib"
    done
}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
for f in "${programs[@]}"; do
    copy_program "$bindir/$f" "/usr/bin/$f"
done
copy_program "$(command -v ovs-dpctl)" /usr/bin/ovs-dpctl
copy_program "$(command -v ip)" /usr/sbin/ip
copy_program "$(command -v iperf3)" /usr/bin/iperf3
copy_program "$(command -v tcpdump)" /usr/bin/tcpdump
install -m 0755 "$here/kernel-init" "$root/init"
for f in "${scripts[@]}"; do
    install -m 0755 "$here/$f" "$root/$f"
done

: > "$root/modules/order"
for path in "${order[@]}"; do
    base=$(basename "$path")
    case $path in
        *.ko) cp "$moddir/$path" "$root/modules/" ;;
        *.ko.xz) xz -dc "$moddir/$path" > "$root/modules/${base%.xz}" ;;
        *.ko.zst) zstd -qdc "$moddir/$path" > "$root/modules/${base%.zst}" ;;
        *) log "unexpected module file $path"; exit 1 ;;
    esac
    echo "${base%.ko*}.ko" >> "$root/modules/order"
done
log "modules: $(tr '\n' ' ' < "$root/modules/order")"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$image.tmp"
mv "$image.tmp" "$image"

echo "$cache/vmlinuz"
echo "$image"
