#!/usr/bin/env bash
# build-image.sh: prepare the guest image for tests/bats/vm-qemu.bats in
# tests/vm/cache/ (gitignored):
#
#   cache/vmlinuz          a stock Debian kernel (cloud flavour, small),
#                          fetched with apt-get download and unpacked with
#                          dpkg -x: nothing is installed on the host
#   cache/initramfs.gz     busybox-static + tests/vm/init + the virtio
#                          modules (virtio_net and what it depends on),
#                          and bonding for guests that ask for a bond
#
# Idempotent: it rebuilds only what is missing or older than its inputs.
# Prints the two paths on success.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${SY_VM_CACHE:-$here/cache}
mkdir -p "$cache"
cd "$cache"

log() { echo "build-image: $*" >&2; }

# ---- kernel --------------------------------------------------------------

# The concrete package (linux-image-6.1.0-NN-cloud-amd64) the metapackage
# points to; fall back to the generic flavour.
kernel_package() {
    local meta dep
    for meta in linux-image-cloud-amd64 linux-image-amd64; do
        dep=$(apt-cache depends "$meta" 2>/dev/null |
              awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
        if [ -n "$dep" ]; then
            echo "$dep"
            return 0
        fi
    done
    return 1
}

if [ ! -s kernel/.unpacked ]; then
    pkg=$(kernel_package || true)
    if [ -z "$pkg" ]; then
        log "apt lists have no kernel package; running apt-get update"
        apt-get update -qq
        pkg=$(kernel_package)
    fi
    log "fetching $pkg (unpacked into $cache/kernel, not installed)"
    rm -rf kernel deb
    mkdir -p deb
    (cd deb && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
    deb_file=$(ls deb/*.deb)
    dpkg -x "$deb_file" kernel
    echo "$pkg" > kernel/.unpacked
    rm -rf deb
fi

release=$(ls kernel/lib/modules | head -n 1)
moddir=kernel/lib/modules/$release
cp -u kernel/boot/vmlinuz-"$release" vmlinuz
# The package ships no modules.dep (the host's depmod would write it at
# install time); make one inside the cache.
[ -s "$moddir/modules.dep" ] || /sbin/depmod -b "$cache/kernel" "$release"

# ---- initramfs ---------------------------------------------------------------

# add_module NAME: append NAME's module file (a path relative to $moddir)
# to $order after the modules it depends on (from modules.dep lines
# "path: dep1 dep2 ..."); nothing for a built-in.
declare -A seen=()
order=()
add_module() {
    local name=$1 line path deps dep
    line=$(grep -E "(^|/)$name\.ko(\.[a-z]+)?:" "$moddir/modules.dep" || true)
    [ -n "$line" ] || return 0          # built in
    path=${line%%:*}
    [ -z "${seen[$path]:-}" ] || return 0
    seen[$path]=1
    deps=${line#*:}
    for dep in $deps; do
        dep=$(basename "$dep")
        add_module "${dep%%.ko*}"
    done
    order+=("$path")
}

init=$here/init
if [ ! -s initramfs.gz ] || [ "$init" -nt initramfs.gz ] || [ "$0" -nt initramfs.gz ] ||
   [ "$moddir/modules.dep" -nt initramfs.gz ]; then
    for m in virtio virtio_ring virtio_pci virtio_net; do
        add_module "$m"
    done
    n_boot=${#order[@]}
    # Loaded only by guests that ask for a bond (sy.bond=), see init.
    add_module bonding
    root=$(mktemp -d "$cache/root.XXXXXX")
    trap 'rm -rf "$root"' EXIT
    mkdir -p "$root"/{bin,dev,proc,sys,tmp,modules}
    cp /bin/busybox "$root/bin/busybox"
    ln -s busybox "$root/bin/sh"
    install -m 0755 "$init" "$root/init"
    : > "$root/modules/order"
    : > "$root/modules/bond-order"
    i=0
    for path in "${order[@]}"; do
        case $path in
            *.ko) cp "$moddir/$path" "$root/modules/" ;;
            *.ko.xz) xz -dc "$moddir/$path" > "$root/modules/$(basename "${path%.xz}")" ;;
            *.ko.zst) zstd -qdc "$moddir/$path" > "$root/modules/$(basename "${path%.zst}")" ;;
            *) log "unexpected module file $path"; exit 1 ;;
        esac
        base=$(basename "$path")
        if [ $i -lt "$n_boot" ]; then
            echo "${base%.ko*}.ko" >> "$root/modules/order"
        else
            echo "${base%.ko*}.ko" >> "$root/modules/bond-order"
        fi
        i=$((i + 1))
    done
    log "initramfs modules: $(tr '\n' ' ' < "$root/modules/order")"
    (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > initramfs.gz.tmp
    mv initramfs.gz.tmp initramfs.gz
fi

echo "$cache/vmlinuz"
echo "$cache/initramfs.gz"
