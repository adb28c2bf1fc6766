package dev.form.cli.service;

import java.util.ArrayList;
import java.util.List;

/** The shell blocks of the README's "Walk-through" section, in order: what a new user is told to type. */
public final class ReadmeWalkthrough {
    private ReadmeWalkthrough() {
    }

    /**
     * @return the bodies of the ```sh blocks between the heading whose text starts with "Walk-through" and
     * the next heading of the same or a higher level; empty when there is no such section
     */
    public static List<String> shellBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        int sectionLevel = -1;
        boolean inBlock = false;
        boolean shellBlock = false;
        StringBuilder current = new StringBuilder();
        for (String line : markdown.split("\n", -1)) {
            if (inBlock) {
                if (line.startsWith("```")) {
                    if (shellBlock && sectionLevel > 0) blocks.add(current.toString());
                    inBlock = false;
                    current.setLength(0);
                } else {
                    current.append(line).append('\n');
                }
                continue;
            }
            if (line.startsWith("```")) {
                inBlock = true;
                String lang = line.substring(3).trim();
                shellBlock = lang.equals("sh") || lang.equals("bash") || lang.equals("shell");
                continue;
            }
            int level = headingLevel(line);
            if (level > 0) {
                String title = line.substring(level).trim();
                if (sectionLevel > 0 && level <= sectionLevel) sectionLevel = -1;
                if (title.toLowerCase().startsWith("walk-through") || title.toLowerCase().startsWith("walkthrough")) sectionLevel = level;
            }
        }
        return blocks;
    }

    private static int headingLevel(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == '#') n++;
        return n > 0 && n <= 6 && line.length() > n && line.charAt(n) == ' ' ? n : 0;
    }
}
