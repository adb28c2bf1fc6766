package dev.form.testkit.chsim;

/** A body serde would refuse; the message imitates serde_json's ("missing field `tag` at line 1 column 25"). */
final class DeserializeException extends Exception {
    DeserializeException(String message) {
        super(message, null, false, false);
    }
}
