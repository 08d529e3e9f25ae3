#!/usr/bin/env bats
# packaging.bats: what a distribution gets from the source tree.
#
#   make install / make uninstall    every file where it belongs, under
#                                    DESTDIR only, and gone again after
#   systemd/                         the units pass systemd-analyze verify
#                                    once installed; the daemons behave as
#                                    the units expect (Type=notify readiness,
#                                    SIGTERM, log rotation by copytruncate)
#   make dist + switchyard.spec      the tarball builds an RPM (Debian's
#                                    rpmbuild, --nodeps) whose file list and
#                                    scriptlets are right
#
# Nothing here needs network namespaces; everything happens in the test's
# temp dir. The RPM build compiles the tarball from scratch and runs its
# unit tests (%check): about half a minute.

bats_require_minimum_version 1.5.0

load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

SRCDIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
: "${SY_BINDIR:=$SRCDIR/build/bin}"

UNITS=(switchyard-flowd.service switchyard-portd.service switchyard.target)

setup() {
    T=$BATS_TEST_TMPDIR
    STARTED_PIDS=()
    VERSION=$(sed -n 's/^VERSION *:*= *//p' "$SRCDIR/Makefile")
    [ -n "$VERSION" ] || fail "no VERSION in $SRCDIR/Makefile"
}

# Processes a test started in the background end with it, also when it
# fails (an orphan holding Bats's output open would hang the run).
teardown() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
}

# The relative paths (under DESTDIR) that `make install PREFIX=/usr` must
# create, computed from the source tree: one line each, sorted.
expected_files() {
    local f
    {
        printf '%s\n' usr/sbin/flowd usr/sbin/portd usr/bin/dp usr/bin/ofctl usr/bin/tunnel
        for f in "$SRCDIR"/man/*.[578]; do
            echo "usr/share/man/man${f##*.}/${f##*/}"
        done
        # A link: ifdown-ovs(8) is ifup-ovs(8).
        [ -e "$SRCDIR/man/ifup-ovs.8" ] && echo usr/share/man/man8/ifdown-ovs.8
        for f in "$SRCDIR"/completions/*; do
            echo "usr/share/bash-completion/completions/${f##*/}"
        done
        for f in "${UNITS[@]}"; do
            echo "usr/lib/systemd/system/$f"
        done
        echo etc/sysconfig/switchyard
        echo etc/logrotate.d/switchyard
        for f in ifup-ovs ifdown-ovs switchyard-functions; do
            [ -e "$SRCDIR/ifcfg/$f" ] && echo "etc/sysconfig/network-scripts/$f"
        done
    } | sort
}

# Files and symlinks under DIR, relative, sorted.
installed_files() {
    (cd "$1" && find . \( -type f -o -type l \) -printf '%P\n' | sort)
}

install_usr() {
    run make -C "$SRCDIR" install DESTDIR="$1" PREFIX=/usr "${@:2}"
    assert_success
}

@test "make install PREFIX=/usr puts every file where a distribution expects it" {
    local dest=$T/dest marker=$T/marker f
    : > "$marker"
    sleep 1     # so that anything written below is strictly newer
    install_usr "$dest"

    diff -u <(expected_files) <(installed_files "$dest") ||
        fail "installed files differ from the expected list (- expected, + installed)"

    # Nothing outside DESTDIR: no installed path exists on the host with a
    # time stamp after the install began.
    while read -r f; do
        if [ -e "/$f" ] && [ "/$f" -nt "$marker" ]; then
            fail "/$f was written outside DESTDIR"
        fi
    done < <(installed_files "$dest"; echo etc/switchyard/bridges)

    for f in usr/sbin/flowd usr/sbin/portd usr/bin/dp usr/bin/ofctl usr/bin/tunnel; do
        [ "$(stat -c %a "$dest/$f")" = 755 ] || fail "$f is not mode 0755"
    done
    for f in "${UNITS[@]}"; do
        [ "$(stat -c %a "$dest/usr/lib/systemd/system/$f")" = 644 ] || fail "$f is not mode 0644"
    done
    [ -d "$dest/etc/switchyard/bridges" ] || fail "no configuration skeleton etc/switchyard/bridges"
    run "$dest/usr/sbin/flowd" --version
    assert_success
    assert_output --partial "$VERSION"

    # PREFIX=/usr keeps the units as shipped.
    for f in "${UNITS[@]}"; do
        cmp "$SRCDIR/systemd/$f" "$dest/usr/lib/systemd/system/$f" ||
            fail "installed $f differs from systemd/$f"
    done
}

@test "make install with the default PREFIX points the units at /usr/local" {
    local dest=$T/dest
    run make -C "$SRCDIR" install DESTDIR="$dest"
    assert_success
    [ -x "$dest/usr/local/sbin/flowd" ] || fail "no usr/local/sbin/flowd"
    [ -f "$dest/usr/local/lib/systemd/system/switchyard.target" ] || fail "no units in usr/local/lib/systemd/system"
    run grep -h '^Exec' "$dest"/usr/local/lib/systemd/system/*.service
    assert_line 'ExecStart=/usr/local/sbin/flowd run $FLOWD_OPTIONS'
    assert_line 'ExecStart=/usr/local/sbin/portd run $PORTD_OPTIONS'
    refute_output --partial /usr/sbin/
}

@test "make install keeps an edited /etc/sysconfig/switchyard; make uninstall removes the rest" {
    local dest=$T/dest
    install_usr "$dest"
    echo 'SY_LOGLEVEL=dbg' >> "$dest/etc/sysconfig/switchyard"
    install_usr "$dest"
    run tail -n 1 "$dest/etc/sysconfig/switchyard"
    assert_output 'SY_LOGLEVEL=dbg'

    run make -C "$SRCDIR" uninstall DESTDIR="$dest" PREFIX=/usr
    assert_success
    run installed_files "$dest"
    assert_output etc/sysconfig/switchyard
}

@test "make uninstall removes everything make install put there" {
    local dest=$T/dest
    install_usr "$dest"
    run make -C "$SRCDIR" uninstall DESTDIR="$dest" PREFIX=/usr
    assert_success
    run installed_files "$dest"
    assert_output ''
    [ ! -e "$dest/etc/switchyard" ] || fail "uninstall left the empty etc/switchyard"
}

@test "the installed units pass systemd-analyze verify" {
    local dest=$T/dest root=$T/root unit page
    command -v systemd-analyze >/dev/null ||
        skip "systemd-analyze is not installed (Debian package systemd; make deps)"
    systemd-analyze --version >/dev/null 2>&1 || skip "systemd-analyze does not run here"
    install_usr "$dest"

    # verify --root looks up units and the programs they run inside the
    # root: the installed tree and the host's own units (network-pre.target,
    # shutdown.target ...) so that missing dependencies and ordering cycles
    # show.
    mkdir -p "$root/usr/lib/systemd/system"
    if [ -d /usr/lib/systemd/system ]; then
        cp -a /usr/lib/systemd/system/. "$root/usr/lib/systemd/system/"
    fi
    cp -a "$dest/." "$root/"

    # It exits 0 on mere warnings (an unknown key, a bad value), so the
    # test wants no output at all. First, that it does complain:
    sed 's/^ProtectHome=yes/ProtectHomes=yes/' "$SRCDIR/systemd/switchyard-flowd.service" \
        > "$T/broken.service"
    cp "$T/broken.service" "$root/usr/lib/systemd/system/switchyard-broken.service"
    run systemd-analyze verify --man=no --root="$root" switchyard-broken.service
    assert_output --partial ProtectHomes
    rm "$root/usr/lib/systemd/system/switchyard-broken.service"

    run systemd-analyze verify --man=no --root="$root" "${UNITS[@]}"
    assert_success
    assert_output ''

    # --man=no above, because man(1) would search the host: instead, each
    # Documentation= page must be among the installed ones.
    for page in $(sed -n 's/^Documentation=//p' "${UNITS[@]/#/$dest/usr/lib/systemd/system/}" |
                  tr ' ' '\n' | sed -n 's/^man:\([a-z-]*\)(8)$/\1/p'); do
        [ -f "$dest/usr/share/man/man8/$page.8" ] || fail "Documentation=man:$page(8) is not installed"
    done
}

# notify_listen SOCKET CTL: what systemd does for a Type=notify unit, in the
# background: receive the sd_notify datagrams on SOCKET, each with the
# sender's pid (SCM_CREDENTIALS, as NotifyAccess=main checks it), and print
# one line per datagram: "PID CTL-EXISTS STATE...", CTL-EXISTS telling
# whether the daemon's control socket CTL was there when the datagram was
# read (for STOPPING=1 that may be after the daemon removed it).
# Ends after STOPPING=1 or 60 s. Sets NOTIFY_PID.
notify_listen() {
    /usr/bin/python3 -c '
import os, socket, struct, sys
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
sock.bind(sys.argv[1])
sock.settimeout(60)
print("listening", flush=True)
while True:
    data, ancillary, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(12))
    pid = [struct.unpack("iII", d)[0] for level, kind, d in ancillary
           if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS]
    print(pid[0] if pid else "?", os.path.exists(sys.argv[2]),
          data.decode().replace("\n", " "), flush=True)
    if b"STOPPING=1" in data:
        break
' "$1" "$2" > "$1.out" 2>&1 &
    NOTIFY_PID=$!
    STARTED_PIDS+=("$NOTIFY_PID")
    timeout 10 sh -c "until grep -q listening '$1.out'; do sleep 0.1; done" ||
        fail "notify listener did not start: $(cat "$1.out")"
}

@test "the daemons behave as the units expect: Type=notify readiness, SIGTERM, copytruncate rotation" {
    local pid portd_pid status name
    [ -x "$SY_BINDIR/flowd" ] || fail "no $SY_BINDIR/flowd: build first (make)"
    export SY_CONFDIR=$T/conf SY_RUNDIR=$T/run SY_LOGDIR=$T/log
    export ASAN_OPTIONS="log_path=$T/asan.log" UBSAN_OPTIONS="log_path=$T/ubsan.log"
    mkdir -p "$SY_CONFDIR" "$SY_RUNDIR" "$SY_LOGDIR"
    echo 4194304 > "$SY_RUNDIR/flowd.pid"        # stale, as RuntimeDirectoryPreserve leaves it
    for name in flowd portd; do
        run grep -x -e Type=notify -e NotifyAccess=main "$SRCDIR/systemd/switchyard-$name.service"
        assert_line Type=notify
        assert_line NotifyAccess=main
    done

    # Type=notify: each daemon in the foreground, as ExecStart runs it,
    # says READY=1 itself, once its control socket is there.
    notify_listen "$T/flowd.notify" "$SY_RUNDIR/flowd.ctl"
    NOTIFY_SOCKET=$T/flowd.notify "$SY_BINDIR/flowd" run 2>"$T/flowd.stderr" &
    pid=$!
    STARTED_PIDS+=("$pid")
    timeout 20 sh -c "until grep -q READY=1 '$T/flowd.notify.out'; do sleep 0.1; done" ||
        fail "flowd did not tell it was ready: $(cat "$T/flowd.notify.out" "$T/flowd.stderr")"
    run cat "$T/flowd.notify.out"
    assert_line "$pid True READY=1"

    notify_listen "$T/portd.notify" "$SY_RUNDIR/portd.ctl"
    NOTIFY_SOCKET=$T/portd.notify "$SY_BINDIR/portd" run 2>"$T/portd.stderr" &
    portd_pid=$!
    STARTED_PIDS+=("$portd_pid")
    timeout 20 sh -c "until grep -q READY=1 '$T/portd.notify.out'; do sleep 0.1; done" ||
        fail "portd did not tell it was ready: $(cat "$T/portd.notify.out" "$T/portd.stderr")"
    run cat "$T/portd.notify.out"
    assert_line "$portd_pid True READY=1"
    # ... and it works by then.
    run "$SY_BINDIR/portd" add-br br0
    assert_success
    kill -TERM "$portd_pid"
    wait "$portd_pid" || fail "portd exited $? on SIGTERM"
    wait "$NOTIFY_PID"
    run cat "$T/portd.notify.out"
    assert_line --regexp "^$portd_pid (True|False) STOPPING=1\$"

    # logrotate's copytruncate, with the shipped settings, on the live log.
    if command -v logrotate >/dev/null; then
        sed "s|/var/log/switchyard|$SY_LOGDIR|" "$SRCDIR/systemd/switchyard.logrotate" > "$T/logrotate.conf"
        run logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf"
        assert_success
        assert_output ''
        run cat "$SY_LOGDIR/flowd.log.1"
        assert_output --partial 'started'
    fi

    # SIGTERM, how systemd stops it: a clean exit, which Restart=on-failure
    # leaves alone, logged at the start of the truncated file (no hole).
    kill -TERM "$pid"
    status=0
    wait "$pid" || status=$?
    [ "$status" -eq 0 ] || fail "flowd exited $status on SIGTERM"
    run cat "$SY_LOGDIR/flowd.log"
    if command -v logrotate >/dev/null; then
        assert_output --regexp '^[^[:cntrl:]]*exiting$'
    else
        assert_output --partial 'exiting'
    fi
    run cat "$T/flowd.notify.out"
    assert_line --regexp "^$pid (True|False) STOPPING=1\$"
    ! ls "$T"/asan.log.* "$T"/ubsan.log.* 2>/dev/null || fail "sanitizer report: $(cat "$T"/*san.log.*)"
}

@test "make dist builds an RPM with switchyard.spec that holds the programs, units and man pages" {
    local top=$T/rpm rpmfile
    command -v rpmbuild >/dev/null || skip "rpmbuild is not installed (Debian package rpm; make deps)"
    git -C "$SRCDIR" rev-parse --git-dir >/dev/null 2>&1 ||
        skip "not a git checkout: make dist packs the repository's HEAD"

    run grep -E '^Version:[[:space:]]+' "$SRCDIR/switchyard.spec"
    assert_output --regexp "[[:space:]]$VERSION\$"

    run make -C "$SRCDIR" dist BUILDDIR="$T/dist"
    assert_success
    [ -f "$T/dist/switchyard-$VERSION.tar.gz" ] || fail "make dist wrote no switchyard-$VERSION.tar.gz"
    run tar -tzf "$T/dist/switchyard-$VERSION.tar.gz"
    assert_line "switchyard-$VERSION/Makefile"
    assert_line "switchyard-$VERSION/switchyard.spec"
    assert_line "switchyard-$VERSION/systemd/switchyard-flowd.service"
    refute_line --regexp '^[^/]*/build(-asan)?/'
    refute_line --regexp '^[^/]*/\.git/'
    run grep -cv "^switchyard-$VERSION/" <(tar -tzf "$T/dist/switchyard-$VERSION.tar.gz")
    assert_output 0

    mkdir -p "$top/SOURCES" "$top/SPECS"
    cp "$T/dist/switchyard-$VERSION.tar.gz" "$top/SOURCES/"
    tar -xzf "$top/SOURCES/switchyard-$VERSION.tar.gz" -C "$T" "switchyard-$VERSION/switchyard.spec"
    cp "$T/switchyard-$VERSION/switchyard.spec" "$top/SPECS/"
    rpmbuild -bb --nodeps --define "_topdir $top" "$top/SPECS/switchyard.spec" \
        > "$T/rpmbuild.log" 2>&1 || fail "rpmbuild failed: $(tail -n 40 "$T/rpmbuild.log")"
    grep -q '^[0-9]* passed, 0 failed$' "$T/rpmbuild.log" || fail "%check ran no unit tests"

    rpmfile=$(find "$top/RPMS" -name "switchyard-$VERSION-*.rpm")
    [ -n "$rpmfile" ] || fail "no binary RPM in $top/RPMS"

    run rpm -qlp "$rpmfile"
    assert_success
    for f in /usr/sbin/flowd /usr/sbin/portd /usr/bin/dp /usr/bin/ofctl /usr/bin/tunnel \
             "${UNITS[@]/#//usr/lib/systemd/system/}" \
             /etc/sysconfig/switchyard /etc/logrotate.d/switchyard \
             /etc/switchyard /etc/switchyard/bridges \
             /usr/share/bash-completion/completions/flowd; do
        assert_line "$f"
    done
    for f in "$SRCDIR"/man/*.[578]; do
        assert_line --regexp "^/usr/share/man/man${f##*.}/${f##*/}(\.gz)?\$"
    done
    for f in ifup-ovs ifdown-ovs switchyard-functions; do
        [ -e "$SRCDIR/ifcfg/$f" ] && assert_line "/etc/sysconfig/network-scripts/$f"
    done
    refute_line --regexp '^/(run|var|tmp|home)'

    run rpm -qcp "$rpmfile"
    assert_line /etc/sysconfig/switchyard
    assert_line /etc/logrotate.d/switchyard

    run rpm -qp --scripts "$rpmfile"
    assert_output --regexp 'systemctl.*preset.*switchyard.target'
    assert_output --regexp 'systemctl.*disable.*switchyard-flowd.service'
    assert_output --regexp 'systemctl.*try-restart.*switchyard-portd.service'

    run rpm -qp --qf '[%{REQUIRENAME} %{REQUIREFLAGS:deptype}\n]' "$rpmfile"
    assert_line 'systemd post'
    assert_line 'systemd preun'
    assert_line 'systemd postun'
}
