package dev.corral.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.corral.Pool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corral as a user of the module system sees it: a small modular application that
 * {@code requires dev.corral.core}, compiled with javac and run with {@code java --module-path},
 * against the core as the build produced it (its jar, in a reactor build past {@code package}).
 */
class ModulePathTest {

    @TempDir
    Path dir;

    private static final String MODULE_INFO = """
            module app {
                requires dev.corral.core;
            }
            """;

    private static final String MAIN = """
            package app;

            import dev.corral.Pool;
            import dev.corral.Task;
            import dev.corral.limit.RateLimiter;

            public final class Main {
                public static void main(String[] args) throws Exception {
                    try (Pool pool = Pool.builder().name("modular").workers(2).build()) {
                        Task<Integer> task = pool.submit(() -> 6 * 7);
                        System.out.println("answer " + task.get());
                    }
                    RateLimiter.tokenBucket(10, 1);
                    Module core = Pool.class.getModule();
                    System.out.println("module " + core.getName());
                    System.out.println("exports " + core.getDescriptor().exports().stream()
                            .map(e -> e.source()).sorted().toList());
                    System.out.println("internal exported " + core.isExported("dev.corral.internal"));
                    try {
                        Class.forName("dev.corral.internal.IdSequence").getConstructor().newInstance();
                        System.out.println("internal usable");
                    } catch (IllegalAccessException e) {
                        System.out.println("internal refused");
                    }
                }
            }
            """;

    private static final String USES_INTERNAL = """
            package app;

            public final class Main {
                public static void main(String[] args) {
                    System.out.println(new dev.corral.internal.IdSequence().next());
                }
            }
            """;

    @Test
    void aModularApplicationRunsOnTheCoreAndSeesOnlyItsTwoPackages() throws Exception {
        Path core = location(Pool.class);
        ModuleDescriptor descriptor = onlyModule(core);
        assertThat(descriptor.name()).isEqualTo("dev.corral.core");
        assertThat(descriptor.isAutomatic()).as("a real module-info, not a derived name").isFalse();
        assertThat(descriptor.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
                .isEqualTo(Set.of("dev.corral", "dev.corral.limit"));
        assertThat(descriptor.requires().stream().map(ModuleDescriptor.Requires::name))
                .as("the core depends on the JDK only").containsOnly("java.base");

        Path classes = compile(core, MAIN);
        Result run = java("--module-path", core + java.io.File.pathSeparator + classes, "-m", "app/app.Main");

        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output.lines()).containsExactly(
                "answer 42",
                "module dev.corral.core",
                "exports [dev.corral, dev.corral.limit]",
                "internal exported false",
                "internal refused");
    }

    @Test
    void codeThatReachesIntoTheInternalPackageDoesNotCompile() throws Exception {
        Path core = location(Pool.class);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path src = sources(USES_INTERNAL);
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();

        int exit = javac.run(null, null, diagnostics, javacArgs(core, src, dir.resolve("refused")));

        assertThat(exit).isNotZero();
        assertThat(diagnostics.toString(StandardCharsets.UTF_8))
                .contains("package dev.corral.internal is not visible")
                .contains("does not export it");
    }

    @Test
    void theRedisJarHasAStableAutomaticModuleName() {
        Path redis = Path.of(System.getProperty("corral.redis.jar", "corral-redis.jar"));
        assumeTrue(Files.isRegularFile(redis), "corral-redis is a jar only past 'package': " + redis);

        ModuleDescriptor descriptor = onlyModule(redis);

        assertThat(descriptor.name()).isEqualTo("dev.corral.redis");
        assertThat(descriptor.isAutomatic()).isTrue();
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static Path location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static ModuleDescriptor onlyModule(Path path) {
        List<ModuleReference> found = new ArrayList<>(ModuleFinder.of(path).findAll());
        assertThat(found).as("modules in %s", path).hasSize(1);
        return found.get(0).descriptor();
    }

    private Path sources(String main) throws IOException {
        Path src = dir.resolve("src-" + System.nanoTime());
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("app/Main.java"), main);
        return src;
    }

    private static String[] javacArgs(Path core, Path src, Path out) {
        // An empty class path: in-process javac would otherwise see the test's own, core included.
        return new String[] {
            "--module-path", core.toString(), "--class-path", out.toString(), "-d", out.toString(),
            src.resolve("module-info.java").toString(), src.resolve("app/Main.java").toString()
        };
    }

    private Path compile(Path core, String main) throws IOException {
        Path out = dir.resolve("classes");
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int exit = ToolProvider.getSystemJavaCompiler().run(null, null, diagnostics, javacArgs(core, sources(main), out));
        assertThat(exit).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();
        return out;
    }

    private record Result(int exit, String output) {
    }

    private static Result java(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the application ended").isTrue();
        return new Result(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
