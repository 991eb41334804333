package io.sysbox.mgr.specialdirs;

import java.util.HashMap;
import java.util.Map;

/**
 * Which running container uses which user source as its inner Docker image cache. Sources
 * are compared as canonical paths, so two spellings of one volume are one source.
 */
final class UserSourceClaims {
    private record Claim(String owner, String destination) {}

    private final Map<String, Claim> claims = new HashMap<>();

    /** Records that id uses source on destination; refused while another container does. */
    synchronized void claim(String id, String source, String destination) throws SourceInUseException {
        Claim held = claims.get(source);
        if (held != null && !held.owner().equals(id)) {
            throw new SourceInUseException("cannot mount " + source + " on " + destination + " of container " + id
                    + ": " + source + " is already " + held.destination() + " of container " + held.owner()
                    + ": Docker does not support two daemons sharing one image cache; use a separate volume for each"
                    + " system container (or stop " + held.owner() + " first)", held.owner());
        }
        claims.put(source, new Claim(id, destination));
    }

    synchronized void release(String id) {
        claims.values().removeIf(claim -> claim.owner().equals(id));
    }

    /** The container using source, or null. */
    synchronized String owner(String source) {
        Claim held = claims.get(source);
        return held == null ? null : held.owner();
    }
}
