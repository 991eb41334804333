package io.sysbox.fs.emulation.sys;

import io.sysbox.fs.emulation.file.EmulatedFile;
import io.sysbox.fs.emulation.file.Modes;
import io.sysbox.fs.emulation.proc.sys.HostSysctlFile;
import io.sysbox.fs.emulation.registry.ContainerState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * sys/devices/virtual/dmi/id/product_uuid: the host's machine UUID with its last 12 hex digits
 * made the container's own, so software that identifies machines by it (licensing, cluster
 * members, Kubernetes node ids) tells containers apart. The digits are a hash of the container
 * id (of the first container of its pod, so a pod is one machine): the same on every read and
 * after a restart of sysbox-fs. A host without DMI data gets a prefix of its own ({@link #withoutDmi}).
 */
public final class ProductUuidFile implements EmulatedFile {
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** The kernel's mode for product_uuid: the DMI identifiers are root's only. */
    private static final int DMI_MODE = 0400;

    private final String hostPrefix;
    private final boolean upperCase;
    private final int permissions;

    private ProductUuidFile(String hostPrefix, boolean upperCase, int permissions) {
        this.hostPrefix = hostPrefix;
        this.upperCase = upperCase;
        this.permissions = permissions;
    }

    /** Reads {@code host} (normally /sys/devices/virtual/dmi/id/product_uuid) once: it does not change while the host runs. */
    public ProductUuidFile(Path host) throws IOException {
        String uuid = HostSysctlFile.readText(host).strip();
        if (!UUID.matcher(uuid).matches()) {
            throw new IOException(host + " holds '" + uuid + "', not a UUID (8-4-4-4-12 hex digits)");
        }
        this.hostPrefix = uuid.substring(0, 24);
        this.upperCase = !uuid.substring(24).equals(uuid.substring(24).toLowerCase());
        this.permissions = Modes.of(host);
    }

    /**
     * For a host without DMI data (virtual machines without SMBIOS, such as Firecracker's): the
     * first 20 hex digits are a SHA-256 of the host's machine id ({@code machineId}, normally
     * /etc/machine-id; the id itself is not shown, as systemd asks of those who derive from it),
     * so every container of one host shares them and they outlive reboots. A host without a
     * machine id uses {@code bootId} (/proc/sys/kernel/random/boot_id): stable until it reboots.
     */
    public static ProductUuidFile withoutDmi(Path machineId, Path bootId) throws IOException {
        boolean hasMachineId = Files.isRegularFile(machineId) && !HostSysctlFile.readText(machineId).isBlank();
        String id = HostSysctlFile.readText(hasMachineId ? machineId : bootId).strip();
        String hex = HexFormat.of().formatHex(sha256("sysbox-fs product_uuid of host " + id));
        String prefix = hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-";
        return new ProductUuidFile(prefix, false, DMI_MODE);
    }

    @Override
    public String name() {
        return "product_uuid";
    }

    @Override
    public int permissions() {
        return permissions;
    }

    @Override
    public byte[] render(ContainerState container) {
        return (uuidOf(container.emulation().ownerId()) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The container's UUID: the host's first 24 characters and 12 hex digits from a SHA-256 of its id. */
    String uuidOf(String containerId) {
        String suffix = HexFormat.of().formatHex(sha256(containerId), 0, 6);
        return hostPrefix + (upperCase ? suffix.toUpperCase() : suffix);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
