package io.sysbox.mgr.idmap;

import io.sysbox.mgr.idrange.ContainerMapping;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * User namespaces made ahead of time for the mapping the next container will most likely get.
 * Making one costs two process spawns (see UserNamespaceFile), several milliseconds on every
 * create; done in the background after the previous create, the next one finds it ready.
 * A namespace is handed out once: whoever takes it owns and closes it.
 */
public final class UserNamespaceCache implements AutoCloseable {
    /** Few: ranges are handed out lowest-first, so the next one is nearly always predicted. */
    private static final int CAPACITY = 2;

    private final Map<ContainerMapping, UserNamespaceFile> ready = new LinkedHashMap<>();
    private final ExecutorService maker = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("userns-ahead").daemon().unstarted(r));
    private final Logger log;
    private boolean closed;

    public UserNamespaceCache(Logger log) {
        this.log = log;
    }

    /** A namespace with this mapping: a ready one if there is, else made now. */
    public UserNamespaceFile take(ContainerMapping mapping) throws IOException {
        synchronized (this) {
            UserNamespaceFile file = ready.remove(mapping);
            if (file != null) return file;
        }
        return UserNamespaceFile.create(mapping);
    }

    /** Makes one for mapping in the background, unless one is ready. */
    public void prepareAhead(ContainerMapping mapping) {
        synchronized (this) {
            if (closed || ready.containsKey(mapping)) return;
        }
        maker.execute(() -> {
            synchronized (this) {
                if (closed || ready.containsKey(mapping)) return;
            }
            try {
                UserNamespaceFile file = UserNamespaceFile.create(mapping);
                synchronized (this) {
                    if (closed || ready.containsKey(mapping)) {
                        file.close();
                        return;
                    }
                    ready.put(mapping, file);
                    while (ready.size() > CAPACITY) {
                        var eldest = ready.entrySet().iterator().next();
                        ready.remove(eldest.getKey()).close();
                    }
                }
            } catch (IOException | RuntimeException e) {
                log.debug("could not make a user namespace ahead for {}: {}", mapping, e.getMessage());
            }
        });
    }

    @Override
    public void close() {
        maker.shutdownNow();
        synchronized (this) {
            closed = true;
            ready.values().forEach(UserNamespaceFile::close);
            ready.clear();
        }
    }
}
