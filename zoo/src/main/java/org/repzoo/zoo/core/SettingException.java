package org.repzoo.zoo.core;

import java.util.List;

/**
 * A setting of a library call (a named parameter: {@code width}, {@code data}, {@code workers}...) whose value
 * cannot be used. The message speaks of the setting by that name ("width must be positive, got -1"); an application
 * that exposes the setting under another name (a command-line flag) rebuilds it from {@link #settings()} and
 * {@link #problem()}.
 */
public class SettingException extends IllegalArgumentException {
    private final List<String> settings;
    private final String problem;

    /** @param problem what is wrong, as it reads after the setting's name ("must be positive, got -1") */
    public SettingException(String setting, String problem) {
        this(List.of(setting), problem);
    }

    /** A problem of several settings together ("width and depths apply to ..."). */
    public SettingException(List<String> settings, String problem) {
        super(String.join(" and ", settings) + " " + problem);
        this.settings = List.copyOf(settings);
        this.problem = problem;
    }

    public List<String> settings() {
        return settings;
    }

    public String problem() {
        return problem;
    }
}
