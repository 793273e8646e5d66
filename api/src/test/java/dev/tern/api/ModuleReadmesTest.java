package dev.tern.api;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every module of the build has a README a newcomer can read on one screen, that says how to run the module's
 * tests, is linked from the root README's Modules table, and links only to files that exist. Lives in api (run
 * from {@code api/}) because it reads the whole repository and api is the module every build runs.
 */
class ModuleReadmesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** One terminal screen. The agent's README is also its user manual and may be longer. */
    private static final int MAX_LINES = 60;
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)]+)\\)");

    @Test
    void everyModuleHasAOneScreenReadmeWithItsTestCommandLinkedFromTheRootReadme() throws IOException {
        List<String> modules = modules();
        assertThat(modules).contains("events", "api", "agent", "e2e", "bench");
        String rootReadme = Files.readString(ROOT.resolve("README.md"));
        for (String module : modules) {
            Path readme = ROOT.resolve(module).resolve("README.md");
            assertThat(readme).as("README of module %s", module).isRegularFile();
            String text = Files.readString(readme);
            assertThat(text).as("%s tells how to run its tests", readme)
                    .containsPattern("\\./mvnw [^\\n`]*-pl " + Pattern.quote(module) + " -am [^\\n`]*(test|package)");
            if (!module.equals("agent")) {
                assertThat(text.lines().count()).as("%s fits one screen", readme).isLessThanOrEqualTo(MAX_LINES);
            }
            assertThat(rootReadme).as("root README's Modules table links %s", module)
                    .contains("[`" + module + "`](" + module + "/README.md)");
        }
    }

    @Test
    void readmeLinksPointAtFilesThatExist() throws IOException {
        List<Path> readmes = new ArrayList<>();
        readmes.add(ROOT.resolve("README.md"));
        for (String module : modules()) {
            readmes.add(ROOT.resolve(module).resolve("README.md"));
        }
        List<String> broken = new ArrayList<>();
        for (Path readme : readmes) {
            if (!Files.isRegularFile(readme)) {
                continue; // the other test names missing READMEs
            }
            Matcher link = LINK.matcher(Files.readString(readme));
            while (link.find()) {
                String target = link.group(1).split("#", 2)[0];
                if (target.isEmpty() || target.matches("^[a-z]+:.*")) {
                    continue; // an anchor in the same file, or a URL
                }
                if (!Files.exists(readme.getParent().resolve(target).normalize())) {
                    broken.add(ROOT.relativize(readme) + " -> " + link.group(1));
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    private static List<String> modules() throws IOException {
        Matcher module = MODULE.matcher(Files.readString(ROOT.resolve("pom.xml")));
        List<String> modules = new ArrayList<>();
        while (module.find()) {
            modules.add(module.group(1).strip());
        }
        return modules;
    }
}
