package org.repzoo.zoo.core;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.conf.inputs.InputType;

/** An image tensor's shape without the batch dimension, written {@code CxHxW} as on the command line. */
public record InputShape(int channels, int height, int width) {

    private static final Pattern TEXT = Pattern.compile("(\\d+)x(\\d+)x(\\d+)");

    public InputShape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("input shape must be positive, got " + channels + "x" + height + "x" + width);
        }
    }

    public static InputShape of(int channels, int height, int width) {
        return new InputShape(channels, height, width);
    }

    /** Parses {@code 3x224x224}; the error names the text that did not parse. */
    public static InputShape parse(String text) {
        Matcher m = TEXT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("bad input size '" + text + "': expected CxHxW, e.g. 3x224x224");
        }
        try {
            return new InputShape(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad input size '" + text + "': number too large", e);
        }
    }

    public long size() {
        return (long) channels * height * width;
    }

    public InputType toInputType() {
        return InputType.convolutional(height, width, channels);
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
