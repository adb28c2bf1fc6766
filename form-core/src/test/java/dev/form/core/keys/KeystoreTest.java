package dev.form.core.keys;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.security.SecureRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeystoreTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Credentials VECTOR_KEY = Credentials.fromPrivateKeyHex(KeystoreVectors.PRIVATE_KEY);

    @Test
    void specPbkdf2VectorDecryptsToPublishedKey() {
        Credentials c = Keystore.decrypt(KeystoreVectors.PBKDF2, KeystoreVectors.PASSWORD.toCharArray());
        assertThat(c).isEqualTo(VECTOR_KEY);
        assertThat(c.address()).isEqualTo(KeystoreVectors.ADDRESS);
    }

    @Test
    void specScryptVectorWithParametersBouncyCastleRefusesDecryptsToPublishedKey() {
        Credentials c = Keystore.decrypt(KeystoreVectors.SCRYPT, KeystoreVectors.PASSWORD.toCharArray());
        assertThat(c.address()).isEqualTo(KeystoreVectors.ADDRESS);
    }

    @Test
    void wrongPasswordIsReportedAsSuch() {
        assertThatThrownBy(() -> Keystore.decrypt(KeystoreVectors.PBKDF2, "testpasswore".toCharArray()))
                .isInstanceOfSatisfying(KeyException.class, e -> {
                    assertThat(e.reason()).isEqualTo(KeyException.Reason.WRONG_PASSWORD);
                    assertThat(e.getMessage()).contains("wrong password").doesNotContain("testpassword");
                });
    }

    @Test
    void roundTripWithTestOnlyCheapParameters() throws Exception {
        Credentials c = Credentials.generate(new SecureRandom());
        String json = Keystore.encrypt(c, "pässwörd ✓".toCharArray(), ScryptParams.TEST_ONLY_CHEAP, new SecureRandom());
        var tree = MAPPER.readTree(json);
        assertThat(tree.get("version").asInt()).isEqualTo(3);
        assertThat(tree.at("/crypto/kdfparams/n").asInt()).isEqualTo(1024);
        assertThat(tree.get("address").asText()).isEqualTo(c.address().substring(2).toLowerCase());
        assertThat(json).doesNotContain("pässwörd");
        assertThat(Keystore.decrypt(json, "pässwörd ✓".toCharArray())).isEqualTo(c);
        assertThatThrownBy(() -> Keystore.decrypt(json, "password".toCharArray()))
                .hasFieldOrPropertyWithValue("reason", KeyException.Reason.WRONG_PASSWORD);
    }

    @Test
    void standardParametersAreTheDefaultThatWalletsWrite() throws Exception {
        assertThat(ScryptParams.STANDARD).isEqualTo(new ScryptParams(262_144, 8, 1));
        String json = Keystore.encrypt(VECTOR_KEY, "pw".toCharArray(), ScryptParams.STANDARD, new SecureRandom());
        var p = MAPPER.readTree(json).at("/crypto/kdfparams");
        assertThat(p.get("n").asInt()).isEqualTo(262_144);
        assertThat(p.get("r").asInt()).isEqualTo(8);
        assertThat(p.get("p").asInt()).isEqualTo(1);
        assertThat(Keystore.decrypt(json, "pw".toCharArray())).isEqualTo(VECTOR_KEY);
    }

    @Test
    void twoEncryptionsOfOneKeyDifferInSaltIvAndId() throws Exception {
        String a = Keystore.encrypt(VECTOR_KEY, "pw".toCharArray(), ScryptParams.TEST_ONLY_CHEAP, new SecureRandom());
        String b = Keystore.encrypt(VECTOR_KEY, "pw".toCharArray(), ScryptParams.TEST_ONLY_CHEAP, new SecureRandom());
        var ta = MAPPER.readTree(a);
        var tb = MAPPER.readTree(b);
        assertThat(ta.at("/crypto/kdfparams/salt")).isNotEqualTo(tb.at("/crypto/kdfparams/salt"));
        assertThat(ta.at("/crypto/cipherparams/iv")).isNotEqualTo(tb.at("/crypto/cipherparams/iv"));
        assertThat(ta.get("id")).isNotEqualTo(tb.get("id"));
    }

    @Test
    void upperCaseCryptoKeyOfOldGethFilesIsAccepted() throws Exception {
        String json = Keystore.encrypt(VECTOR_KEY, "pw".toCharArray(), ScryptParams.TEST_ONLY_CHEAP, new SecureRandom());
        ObjectNode tree = (ObjectNode) MAPPER.readTree(json);
        tree.set("Crypto", tree.remove("crypto"));
        assertThat(Keystore.decrypt(MAPPER.writeValueAsString(tree), "pw".toCharArray())).isEqualTo(VECTOR_KEY);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not json                | {oops                                 | not valid JSON",
            "array                   | []                                    | not a JSON object",
            "version 2               | /version=2                            | only version 3",
            "version missing         | /version=-                            | 'version' is missing",
            "cipher                  | /crypto/cipher=\"aes-128-cbc\"        | cipher 'aes-128-cbc' is not supported",
            "kdf                     | /crypto/kdf=\"argon2id\"              | kdf 'argon2id' is not supported",
            "iv not hex              | /crypto/cipherparams/iv=\"zz\"        | crypto.cipherparams.iv must be an even number of hex digits",
            "iv short                | /crypto/cipherparams/iv=\"00ff\"      | crypto.cipherparams.iv must be 16 bytes",
            "mac missing             | /crypto/mac=-                         | crypto.mac is missing",
            "ciphertext short        | /crypto/ciphertext=\"00\"             | crypto.ciphertext must be 32 bytes",
            "n not power of two      | /crypto/kdfparams/n=1000              | crypto.kdfparams.n must be a power of two",
            "n huge                  | /crypto/kdfparams/n=1073741824        | exceed this tool's limits",
            "r string                | /crypto/kdfparams/r=\"8\"             | crypto.kdfparams.r must be an integer",
            "dklen small             | /crypto/kdfparams/dklen=16            | crypto.kdfparams.dklen must be between 32 and 64",
            "address mismatch        | /address=\"0000000000000000000000000000000000000001\" | 'address' does not match the key",
    })
    void malformedKeystoresGetErrorsNamingWhatIsWrong(String name, String edit, String expected) throws Exception {
        String json = Keystore.encrypt(VECTOR_KEY, "pw".toCharArray(), ScryptParams.TEST_ONLY_CHEAP, new SecureRandom());
        String broken = applyEdit(json, edit);
        assertThatThrownBy(() -> Keystore.decrypt(broken, "pw".toCharArray()))
                .isInstanceOfSatisfying(KeyException.class, e -> {
                    assertThat(e.reason()).isEqualTo(KeyException.Reason.MALFORMED_KEYSTORE);
                    assertThat(e.getMessage()).startsWith("malformed keystore: ").contains(expected);
                });
    }

    @Test
    void pbkdf2WithAnotherPrfIsMalformed() throws Exception {
        ObjectNode tree = (ObjectNode) MAPPER.readTree(KeystoreVectors.PBKDF2);
        ((ObjectNode) tree.at("/crypto/kdfparams")).put("prf", "hmac-sha1");
        assertThatThrownBy(() -> Keystore.decrypt(MAPPER.writeValueAsString(tree), "testpassword".toCharArray()))
                .hasMessageContaining("prf must be hmac-sha256")
                .hasFieldOrPropertyWithValue("reason", KeyException.Reason.MALFORMED_KEYSTORE);
    }

    @Test
    void tamperedCiphertextLooksLikeAWrongPasswordBecauseTheMacCoversIt() throws Exception {
        ObjectNode tree = (ObjectNode) MAPPER.readTree(KeystoreVectors.PBKDF2);
        ((ObjectNode) tree.get("crypto")).put("ciphertext", "6318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46");
        assertThatThrownBy(() -> Keystore.decrypt(MAPPER.writeValueAsString(tree), "testpassword".toCharArray()))
                .hasFieldOrPropertyWithValue("reason", KeyException.Reason.WRONG_PASSWORD);
    }

    /** edit: "/json/pointer=value" sets (or with value "-" removes) a field; anything else replaces the document. */
    private static String applyEdit(String json, String edit) throws Exception {
        if (!edit.startsWith("/")) return edit;
        int eq = edit.indexOf('=');
        String pointer = edit.substring(0, eq);
        String value = edit.substring(eq + 1);
        ObjectNode tree = (ObjectNode) MAPPER.readTree(json);
        int slash = pointer.lastIndexOf('/');
        ObjectNode parent = (ObjectNode) (slash == 0 ? tree : tree.at(pointer.substring(0, slash)));
        String field = pointer.substring(slash + 1);
        if (value.equals("-")) parent.remove(field);
        else parent.set(field, MAPPER.readTree(value));
        return MAPPER.writeValueAsString(tree);
    }
}
