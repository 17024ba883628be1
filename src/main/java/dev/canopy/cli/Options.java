package dev.canopy.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The flags every command understands, and the positional arguments left over. */
final class Options {
    boolean json;
    boolean watch;
    boolean expand;
    boolean noColor;
    boolean help;
    boolean ssl;
    String path = "";
    String user;
    String passwordFile;
    String output;
    String at;
    /** The JMX domain of the registry to read; null for the default, dev.canopy. */
    String domain;
    Duration interval = Duration.ofSeconds(1);
    Duration duration = Duration.ofSeconds(30);
    /** How long a target may take to answer one call (see {@link TargetCalls}). */
    Duration timeout = Duration.ofSeconds(10);
    int updates = Integer.MAX_VALUE;
    final List<String> positional = new ArrayList<>();
    /** The options given, as written, to refuse those that do not apply to the command. */
    final List<String> given = new ArrayList<>();

    static Options parse(List<String> args) throws Target.Failure {
        Options o = new Options();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("-") && a.length() > 1 && !a.chars().skip(1).allMatch(Character::isDigit)) {
                o.given.add(a);
            }
            switch (a) {
                case "--json" -> o.json = true;
                case "-w", "--watch" -> o.watch = true;
                case "--expand" -> o.expand = true;
                case "--no-color" -> o.noColor = true;
                case "-h", "--help" -> o.help = true;
                case "--ssl" -> o.ssl = true;
                case "--path" -> o.path = value(args, ++i, a);
                case "--user" -> o.user = value(args, ++i, a);
                case "--password-file" -> o.passwordFile = value(args, ++i, a);
                case "-o", "--output" -> o.output = value(args, ++i, a);
                case "--at" -> o.at = value(args, ++i, a);
                case "--domain" -> o.domain = domain(value(args, ++i, a));
                case "--interval" -> o.interval = duration(value(args, ++i, a), a);
                case "--duration" -> o.duration = duration(value(args, ++i, a), a);
                case "--timeout" -> o.timeout = duration(value(args, ++i, a), a);
                case "--updates" -> {
                    String v = value(args, ++i, a);
                    try {
                        o.updates = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        o.updates = 0;
                    }
                    if (o.updates < 1) {
                        throw new Target.Failure("--updates takes a positive whole number, not \"" + v + "\"", 2);
                    }
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1 && !a.chars().skip(1).allMatch(Character::isDigit)) {
                        throw new Target.Failure("unknown option " + a + " (see --help)", 2);
                    }
                    o.positional.add(a);
                }
            }
        }
        return o;
    }

    /** The options of every command that reads a target: how to reach it and how long to wait for it. */
    static final List<String> TARGET_OPTIONS = List.of("--user", "--password-file", "--ssl", "--domain", "--timeout");

    /**
     * Refuses an option {@code command} does not take, rather than ignore it: {@code deadlocks --json} printing
     * text would mislead a script. {@code --help} applies to every command.
     */
    void onlyFor(String command, List<String> common, String... accepted) throws Target.Failure {
        List<String> ok = new ArrayList<>(List.of(accepted));
        ok.addAll(common);
        ok.addAll(List.of("-h", "--help"));
        for (String g : given) {
            if (!ok.contains(g)) {
                throw new Target.Failure("option " + g + " does not apply to " + command + " (see canopy " + command
                        + " --help)", 2);
            }
        }
        if (passwordFile != null && user == null) {
            throw new Target.Failure("--password-file goes with --user NAME", 2);
        }
    }

    /** Refuses {@code option} unless {@code condition}: an option given where it would be ignored. */
    void onlyWith(String option, boolean condition, String why) throws Target.Failure {
        if (given.contains(option) && !condition) {
            throw new Target.Failure("option " + option + " " + why, 2);
        }
    }

    private static String value(List<String> args, int i, String flag) throws Target.Failure {
        if (i >= args.size()) {
            throw new Target.Failure(flag + " needs a value", 2);
        }
        return args.get(i);
    }

    static Duration duration(String text, String flag) throws Target.Failure {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (t.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } else if (t.endsWith("s")) {
                d = Duration.ofMillis((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            } else if (t.endsWith("m")) {
                d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
            } else if (t.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
            } else {
                d = Duration.ofSeconds(Long.parseLong(t));
            }
            if (d.isNegative() || d.isZero() || d.toDays() > 365) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new Target.Failure(flag + " takes a positive duration like 500ms, 30s, 2m, not \"" + text + "\"", 2);
        }
    }

    private static String domain(String d) throws Target.Failure {
        if (d.isBlank() || d.matches(".*[:,=*?\"\\n].*")) {
            throw new Target.Failure("--domain takes a JMX domain such as dev.canopy.otel, not \"" + d + "\"", 2);
        }
        return d;
    }
}
