package dev.corral;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the tests in a JVM of its own, for what a shared test JVM cannot give: a
 * setting fixed at start-up, or a JIT profile no other test has touched.
 */
final class ChildJvm {

    private ChildJvm() {
    }

    /** How the run ended: whether it exited within the time given, its exit value (-1 if not), its output. */
    record Run(boolean exited, int exitValue, String output) {
    }

    /**
     * Runs {@code main} with {@code jvmOptions} and {@code args} on this JVM's java and class
     * path, its output (both streams) into {@code log}; waits up to {@code timeoutSeconds}, then
     * kills it.
     */
    static Run run(List<String> jvmOptions, Class<?> main, List<String> args, Path log, long timeoutSeconds)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classPath(), main.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return new Run(exited, exited ? p.exitValue() : -1, Files.readString(log, StandardCharsets.UTF_8));
    }

    /**
     * The classes this JVM runs on, as one class path: Surefire puts corral-core (a named module, with
     * the tests patched in) on the module path and the test libraries on the class path.
     */
    private static String classPath() {
        String modules = System.getProperty("jdk.module.path", "");
        String classes = System.getProperty("java.class.path", "");
        return modules.isEmpty() ? classes : modules + File.pathSeparator + classes;
    }
}
