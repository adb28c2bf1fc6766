package dev.form.core.keys;

import java.io.Console;

/** Asks the user for a password. Injectable so that the CLI's tests can answer without a terminal. */
@FunctionalInterface
public interface PasswordPrompt {

    /**
     * @param prompt what to show, e.g. "Password for keystore /home/u/key.json: "
     * @return the password; the caller wipes the array
     * @throws KeyException (IO) when no one can be asked
     */
    char[] readPassword(String prompt);

    /** The process's terminal, without echo. Fails clearly when there is no terminal (a pipe, a service). */
    static PasswordPrompt console() {
        return prompt -> {
            Console console = System.console();
            char[] pw = console == null || !isTerminal(console) ? null : console.readPassword("%s", prompt);
            if (pw == null) {
                throw new KeyException(KeyException.Reason.IO, "no terminal to ask for the keystore password:"
                        + " use --password-file FILE (or - for standard input) or set FORM_KEYSTORE_PASSWORD");
            }
            return pw;
        };
    }

    /**
     * Since JDK 22, System.console() may return a console whose input is a pipe; a password prompt there would
     * read the next line of piped data. Console.isTerminal() (JDK 22+) tells; on JDK 21 a non-null console is a terminal.
     */
    private static boolean isTerminal(Console console) {
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
