package io.sysbox.mgr.specialdirs;

import java.nio.file.Path;
import java.time.Duration;

/**
 * @param dataRoot            the manager's data root (--data-root); special dirs live in
 *                            DATA_ROOT/KIND/ID, their records in DATA_ROOT/specialdirs/ID.json
 * @param innerImagePreload   false with --disable-inner-image-preload: image content is neither
 *                            copied into the special dirs nor copied back into the rootfs
 * @param removalPollInterval how often watched Docker layers are checked for removal
 */
public record SpecialDirsConfig(Path dataRoot, boolean innerImagePreload, Duration removalPollInterval) {
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

    public SpecialDirsConfig {
        if (dataRoot == null || !dataRoot.isAbsolute()) throw new IllegalArgumentException("data root must be absolute: " + dataRoot);
        if (removalPollInterval == null || removalPollInterval.isNegative() || removalPollInterval.isZero()) {
            throw new IllegalArgumentException("removal poll interval must be positive: " + removalPollInterval);
        }
    }

    public SpecialDirsConfig(Path dataRoot, boolean innerImagePreload) {
        this(dataRoot, innerImagePreload, DEFAULT_POLL_INTERVAL);
    }
}
