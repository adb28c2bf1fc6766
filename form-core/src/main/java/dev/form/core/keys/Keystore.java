package dev.form.core.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.modes.SICBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.web3j.crypto.Hash;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;

/**
 * Web3 Secret Storage version 3 keystores, the format geth, ethers.js and MetaMask exports use:
 * a scrypt or PBKDF2-HMAC-SHA256 key derivation, AES-128-CTR encryption of the private key, and a
 * keccak-256 MAC that tells a wrong password apart from a damaged file.
 */
public final class Keystore {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    // Bounds that keep a hostile or corrupt file from asking for unbounded memory or time.
    private static final long MAX_SCRYPT_MEMORY = 1L << 30;    // 128·r·n bytes
    private static final long MAX_SCRYPT_WORK = 1L << 24;      // n·r·p, 8× the standard parameters
    private static final int MAX_PBKDF2_ITERATIONS = 10_000_000;

    private Keystore() {
    }

    /**
     * @param json     the keystore file's content
     * @param password the password; not kept (the caller wipes its array)
     * @throws KeyException WRONG_PASSWORD when the MAC does not match; MALFORMED_KEYSTORE
     *                      ("malformed keystore: ...") naming what is wrong with the document
     */
    public static Credentials decrypt(String json, char[] password) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json == null ? "" : json);
        } catch (JsonProcessingException e) {
            throw malformed("not valid JSON");
        }
        if (root == null || !root.isObject()) throw malformed("not a JSON object");
        JsonNode version = root.get("version");
        if (version == null) throw malformed("'version' is missing");
        if (!version.isIntegralNumber() || version.asInt() != 3) {
            throw malformed("'version' is " + version + "; only version 3 (Web3 Secret Storage) is supported");
        }
        JsonNode crypto = root.has("crypto") ? root.get("crypto") : root.get("Crypto");
        if (crypto == null || !crypto.isObject()) throw malformed("'crypto' object is missing");

        String cipher = text(crypto, "cipher", "crypto.cipher");
        if (!cipher.equals("aes-128-ctr")) {
            throw malformed("cipher '" + cipher + "' is not supported (only aes-128-ctr)");
        }
        byte[] ciphertext = hex(crypto, "ciphertext", "crypto.ciphertext");
        if (ciphertext.length != 32) throw malformed("crypto.ciphertext must be 32 bytes (a private key), has " + ciphertext.length);
        JsonNode cipherParams = object(crypto, "cipherparams", "crypto.cipherparams");
        byte[] iv = hex(cipherParams, "iv", "crypto.cipherparams.iv");
        if (iv.length != 16) throw malformed("crypto.cipherparams.iv must be 16 bytes, has " + iv.length);
        byte[] mac = hex(crypto, "mac", "crypto.mac");
        if (mac.length != 32) throw malformed("crypto.mac must be 32 bytes, has " + mac.length);

        String kdf = text(crypto, "kdf", "crypto.kdf");
        JsonNode kdfParams = object(crypto, "kdfparams", "crypto.kdfparams");
        int dkLen = integer(kdfParams, "dklen", "crypto.kdfparams.dklen");
        if (dkLen < 32 || dkLen > 64) throw malformed("crypto.kdfparams.dklen must be between 32 and 64, is " + dkLen);
        byte[] salt = hex(kdfParams, "salt", "crypto.kdfparams.salt");

        byte[] pw = utf8(password);
        byte[] derived;
        try {
            derived = switch (kdf) {
                case "scrypt" -> scrypt(kdfParams, pw, salt, dkLen);
                case "pbkdf2" -> pbkdf2(kdfParams, pw, salt, dkLen);
                default -> throw malformed("kdf '" + kdf + "' is not supported (only scrypt and pbkdf2)");
            };
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
        byte[] plain = null;
        try {
            if (!MessageDigest.isEqual(mac(derived, ciphertext), mac)) {
                throw new KeyException(KeyException.Reason.WRONG_PASSWORD, "wrong password for this keystore (its MAC does not match)");
            }
            plain = aes128Ctr(Arrays.copyOfRange(derived, 0, 16), iv, ciphertext);
            Credentials credentials;
            try {
                credentials = Credentials.fromPrivateKeyBytes(plain);
            } catch (KeyException e) {
                throw malformed("the decrypted private key is not a valid secp256k1 key");
            }
            JsonNode address = root.get("address");
            if (address != null && !address.isNull()) {
                String declared = address.asText().toLowerCase(Locale.ROOT);
                if (declared.startsWith("0x")) declared = declared.substring(2);
                if (!declared.equals(credentials.address().substring(2).toLowerCase(Locale.ROOT))) {
                    throw malformed("'address' does not match the key it holds");
                }
            }
            return credentials;
        } finally {
            Arrays.fill(derived, (byte) 0);
            if (plain != null) Arrays.fill(plain, (byte) 0);
        }
    }

    /**
     * Encrypts the key into a version 3 keystore (scrypt, AES-128-CTR), with a random salt, IV and id.
     * Use {@link ScryptParams#STANDARD} for real keys.
     *
     * @return the keystore JSON, one line
     */
    public static String encrypt(Credentials credentials, char[] password, ScryptParams params, SecureRandom random) {
        byte[] salt = new byte[32];
        byte[] iv = new byte[16];
        random.nextBytes(salt);
        random.nextBytes(iv);
        byte[] pw = utf8(password);
        byte[] key = credentials.privateKeyBytes();
        byte[] derived = null;
        try {
            derived = Scrypt.derive(pw, salt, params.n(), params.r(), params.p(), 32);
            byte[] ciphertext = aes128Ctr(Arrays.copyOfRange(derived, 0, 16), iv, key);
            ObjectNode root = MAPPER.createObjectNode();
            root.put("address", credentials.address().substring(2).toLowerCase(Locale.ROOT));
            ObjectNode crypto = root.putObject("crypto");
            crypto.put("cipher", "aes-128-ctr");
            crypto.put("ciphertext", HEX.formatHex(ciphertext));
            crypto.putObject("cipherparams").put("iv", HEX.formatHex(iv));
            crypto.put("kdf", "scrypt");
            ObjectNode kdfParams = crypto.putObject("kdfparams");
            kdfParams.put("dklen", 32);
            kdfParams.put("n", params.n());
            kdfParams.put("p", params.p());
            kdfParams.put("r", params.r());
            kdfParams.put("salt", HEX.formatHex(salt));
            crypto.put("mac", HEX.formatHex(mac(derived, ciphertext)));
            root.put("id", UUID.randomUUID().toString());
            root.put("version", 3);
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        } finally {
            Arrays.fill(pw, (byte) 0);
            Arrays.fill(key, (byte) 0);
            if (derived != null) Arrays.fill(derived, (byte) 0);
        }
    }

    private static byte[] scrypt(JsonNode params, byte[] password, byte[] salt, int dkLen) {
        int n = integer(params, "n", "crypto.kdfparams.n");
        int r = integer(params, "r", "crypto.kdfparams.r");
        int p = integer(params, "p", "crypto.kdfparams.p");
        if (n < 2 || Integer.bitCount(n) != 1) throw malformed("crypto.kdfparams.n must be a power of two greater than 1, is " + n);
        if (r < 1 || p < 1) throw malformed("crypto.kdfparams.r and p must be at least 1");
        if (128L * r * n > MAX_SCRYPT_MEMORY || (long) n * r * p > MAX_SCRYPT_WORK) {
            throw malformed("scrypt parameters n=" + n + ", r=" + r + ", p=" + p + " exceed this tool's limits (128·r·n ≤ 1 GiB, n·r·p ≤ 2^24)");
        }
        return Scrypt.derive(password, salt, n, r, p, dkLen);
    }

    private static byte[] pbkdf2(JsonNode params, byte[] password, byte[] salt, int dkLen) {
        int c = integer(params, "c", "crypto.kdfparams.c");
        if (c < 1 || c > MAX_PBKDF2_ITERATIONS) throw malformed("crypto.kdfparams.c must be between 1 and " + MAX_PBKDF2_ITERATIONS + ", is " + c);
        JsonNode prf = params.get("prf");
        if (prf == null || !"hmac-sha256".equals(prf.asText())) {
            throw malformed("crypto.kdfparams.prf must be hmac-sha256");
        }
        PKCS5S2ParametersGenerator gen = new PKCS5S2ParametersGenerator(new SHA256Digest());
        gen.init(password, salt, c);
        return ((KeyParameter) gen.generateDerivedParameters(dkLen * 8)).getKey();
    }

    private static byte[] mac(byte[] derived, byte[] ciphertext) {
        byte[] input = new byte[16 + ciphertext.length];
        System.arraycopy(derived, 16, input, 0, 16);
        System.arraycopy(ciphertext, 0, input, 16, ciphertext.length);
        return Hash.sha3(input);
    }

    private static byte[] aes128Ctr(byte[] key, byte[] iv, byte[] input) {
        SICBlockCipher ctr = new SICBlockCipher(AESEngine.newInstance());
        ctr.init(true, new ParametersWithIV(new KeyParameter(key), iv));
        byte[] out = new byte[input.length];
        ctr.processBytes(input, 0, input.length, out, 0);
        Arrays.fill(key, (byte) 0);
        return out;
    }

    private static byte[] utf8(char[] password) {
        ByteBuffer buf = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password == null ? new char[0] : password));
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        if (buf.hasArray()) Arrays.fill(buf.array(), (byte) 0);
        return out;
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) throw malformed(where + " is missing");
        if (!v.isTextual()) throw malformed(where + " must be a string");
        return v.asText();
    }

    private static JsonNode object(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isObject()) throw malformed(where + " object is missing");
        return v;
    }

    private static int integer(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) throw malformed(where + " is missing");
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw malformed(where + " must be an integer");
        return v.asInt();
    }

    private static byte[] hex(JsonNode node, String field, String where) {
        String s = text(node, field, where);
        if (s.startsWith("0x")) s = s.substring(2);
        if (s.isEmpty() || s.length() % 2 != 0 || !s.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
            throw malformed(where + " must be an even number of hex digits");
        }
        return HEX.parseHex(s);
    }

    private static KeyException malformed(String what) {
        return new KeyException(KeyException.Reason.MALFORMED_KEYSTORE, "malformed keystore: " + what);
    }
}
