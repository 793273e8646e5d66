package dev.tern.api;

import java.util.List;
import java.util.Optional;

/**
 * tern-server's command line, read strictly: no arguments serves, {@code replay [--projection NAME]} rebuilds read
 * models, {@code --help} prints the usage. Anything else is refused with the usage (exit 2) instead of being passed
 * to Spring, which ignored unknown words: {@code tern-server replay} once silently started a server. Settings are
 * TERN_* environment variables only, so no option reaches Spring.
 */
record ServerCommandLine(Action action, Optional<String> projection, String error) {

    enum Action { SERVE, HELP, REPLAY, INVALID }

    static final String USAGE = """
            usage: tern-server                             run the server (configured by TERN_* variables)
                   tern-server replay [--projection NAME]  rebuild the read models from the event store, then exit;
                                                           every projection, or only NAME (unknown names list the
                                                           known ones); opens no REST or gRPC port
                   tern-server --help                      print this help""";

    static ServerCommandLine parse(String... args) {
        List<String> words = List.of(args);
        if (words.isEmpty()) {
            return new ServerCommandLine(Action.SERVE, Optional.empty(), null);
        }
        String first = words.get(0);
        if (words.size() == 1 && isHelp(first)) {
            return new ServerCommandLine(Action.HELP, Optional.empty(), null);
        }
        if (!first.equals("replay")) {
            return invalid(first.startsWith("-") ? "unknown option '" + first + "'" : "unknown command '" + first + "'");
        }
        Optional<String> projection = Optional.empty();
        for (int i = 1; i < words.size(); i++) {
            String word = words.get(i);
            if (isHelp(word)) {
                return new ServerCommandLine(Action.HELP, Optional.empty(), null);
            }
            String value;
            if (word.equals("--projection")) {
                if (i + 1 == words.size()) {
                    return invalid("--projection needs a projection name");
                }
                value = words.get(++i);
            } else if (word.startsWith("--projection=")) {
                value = word.substring("--projection=".length());
            } else {
                return invalid("unknown option '" + word + "' for replay");
            }
            if (value.isBlank()) {
                return invalid("--projection needs a projection name");
            }
            if (projection.isPresent()) {
                return invalid("--projection given twice");
            }
            projection = Optional.of(value);
        }
        return new ServerCommandLine(Action.REPLAY, projection, null);
    }

    private static boolean isHelp(String word) {
        return word.equals("--help") || word.equals("-h") || word.equals("help");
    }

    private static ServerCommandLine invalid(String error) {
        return new ServerCommandLine(Action.INVALID, Optional.empty(), error);
    }
}
