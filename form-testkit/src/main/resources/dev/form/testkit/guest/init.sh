#!/bin/busybox sh
# /init of form's test guest. It reports on the serial console, one marker line per fact, every
# disk, virtio-fs share, removal, vCPU and memory change it observes. Every marker line starts with
# "FORM-GUEST "; tests match them as substrings because firmware output may precede them on a line.
# The loop uses shell builtins where it can: under TCG every fork costs milliseconds.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /mnt /tmp
exec </dev/console >/dev/console 2>&1

say() { echo "FORM-GUEST $*"; }

for m in @MODULES@; do
    insmod "/lib/modules/$m.ko" || say "module-failed name=$m"
done

# The tags of virtio-fs shares to try: Linux 6.1 does not expose a share's tag in sysfs.
tags=""
for word in $(cat /proc/cmdline); do
    case "$word" in form.tags=*) tags=$(echo "${word#form.tags=}" | tr ',' ' ') ;; esac
done

hex16() { dd if="$1" bs=16 count=1 2>/dev/null | hexdump -v -e '1/1 "%02x"'; }

# Writes the first sector back unchanged: a non-destructive probe of whether the disk takes writes.
write_probe() {
    if dd if="/dev/$1" of=/tmp/probe bs=512 count=1 2>/dev/null &&
       dd if=/tmp/probe of="/dev/$1" bs=512 count=1 conv=notrunc,fsync 2>/dev/null; then
        echo allowed
    else
        echo refused
    fi
}

report_disk() {
    name=$1
    # devtmpfs creates the node a moment after sysfs shows the disk.
    i=0
    while [ ! -b "/dev/$name" ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i + 1)); done
    read sectors < "/sys/block/$name/size"
    serial=""
    [ -r "/sys/block/$name/serial" ] && read serial < "/sys/block/$name/serial"
    ro=0
    read ro < "/sys/block/$name/ro"
    pci=$(readlink -f "/sys/block/$name/device/..")
    say "disk-added name=$name serial=$serial size=$((sectors * 512)) ro=$ro pci=${pci##*/} head=$(hex16 /dev/$name)"
    say "disk-write name=$name serial=$serial result=$(write_probe $name)"
    eval "disk_$name=\"\$serial\""
}

mount_share() {
    dev=$1
    for tag in $tags; do
        eval "taken=\${tag_$(echo $tag | tr -c 'A-Za-z0-9_\n' '_')}"
        [ -n "$taken" ] && continue
        mkdir -p "/mnt/$tag"
        if mount -t virtiofs "$tag" "/mnt/$tag" 2>/dev/null; then
            eval "fs_$dev=\"\$tag\""
            eval "tag_$(echo $tag | tr -c 'A-Za-z0-9_\n' '_')=$dev"
            pci=$(readlink -f "/sys/bus/virtio/devices/$dev/..")
            say "fs-mounted tag=$tag device=$dev pci=${pci##*/}"
            if [ -f "/mnt/$tag/hello.txt" ]; then
                say "fs-read tag=$tag hello=$(head -c 200 "/mnt/$tag/hello.txt" | tr '\n' ' ')"
            else
                say "fs-read tag=$tag hello-missing"
            fi
            if echo "written by the guest through $tag" > "/mnt/$tag/from-guest.txt"; then
                say "fs-wrote tag=$tag file=from-guest.txt"
            else
                say "fs-write-failed tag=$tag"
            fi
            return
        fi
    done
    say "fs-unmounted device=$dev tags-tried=$tags"
    eval "fs_$dev=?"
}

cpus_seen=""
mem_seen=""
cpus_known=" "
report_resources() {
    # A hot-added vCPU arrives offline: bring each one online once, when first seen. Never again
    # later: an unplug offlines the vCPU before ejecting it, and onlining it then would stop the eject.
    for c in /sys/devices/system/cpu/cpu[0-9]*; do
        [ -f "$c/online" ] || continue
        case "$cpus_known" in *" ${c##*/} "*) continue ;; esac
        cpus_known="$cpus_known${c##*/} "
        read on < "$c/online"
        [ "$on" = 0 ] && echo 1 > "$c/online"
    done
    for k in $cpus_known; do
        [ -e "/sys/devices/system/cpu/$k" ] || cpus_known=$(echo "$cpus_known" | sed "s/ $k / /")
    done
    read cpus < /sys/devices/system/cpu/online
    read label kb unit < /proc/meminfo
    if [ "$cpus" != "$cpus_seen" ] || [ "$kb" != "$mem_seen" ]; then
        cpus_seen=$cpus
        mem_seen=$kb
        say "resources cpus-online=$cpus mem-total-kb=$kb"
    fi
}

report_resources
say "ready tags=$(echo $tags | tr ' ' ',')"

disks_known=""
fs_known=""
while true; do
    now=""
    for d in /sys/block/vd*; do
        [ -e "$d" ] || continue
        name=${d##*/}
        now="$now $name"
        eval "seen=\${disk_$name+x}"
        [ -z "$seen" ] && report_disk "$name"
    done
    for name in $disks_known; do
        case " $now " in *" $name "*) ;; *)
            eval "serial=\$disk_$name"
            say "disk-removed name=$name serial=$serial"
            unset "disk_$name" ;;
        esac
    done
    disks_known=$now

    fs_now=""
    for v in /sys/bus/virtio/devices/virtio*; do
        [ -e "$v/device" ] || continue
        read id < "$v/device"
        [ "$id" = 0x001a ] || continue
        dev=${v##*/}
        fs_now="$fs_now $dev"
        eval "seen=\${fs_$dev+x}"
        [ -z "$seen" ] && mount_share "$dev"
    done
    for dev in $fs_known; do
        case " $fs_now " in *" $dev "*) ;; *)
            eval "tag=\$fs_$dev"
            say "fs-removed tag=$tag device=$dev"
            if [ "$tag" != "?" ]; then
                umount -l "/mnt/$tag" 2>/dev/null &
                unset "tag_$(echo $tag | tr -c 'A-Za-z0-9_\n' '_')"
            fi
            unset "fs_$dev" ;;
        esac
    done
    fs_known=$fs_now

    report_resources
    sleep 0.02
done
