package io.sysbox.mgr.idrange;

/** A mapping that must be exclusive overlaps one already in use (its uids or its gids). */
public final class RangeInUseException extends Exception {
    private final ContainerMapping inUse;

    public RangeInUseException(ContainerMapping wanted, ContainerMapping inUse) {
        super("ids " + wanted + " overlap ids already in use (" + inUse + ")");
        this.inUse = inUse;
    }

    /** The mapping in use that the wanted one overlaps. */
    public ContainerMapping inUse() {
        return inUse;
    }
}
