package org.repzoo.cli;

import java.util.Locale;

/** Number formats shared by the commands' tables. */
final class Formats {

    private Formats() {
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String giga(long n) {
        return String.format(Locale.ROOT, "%.2f", n / 1e9);
    }

    static String mega(long n) {
        return String.format(Locale.ROOT, "%.2f", n / 1e6);
    }
}
