package dev.form.bench.auth;

import dev.form.core.auth.CanonicalRequest;
import dev.form.core.auth.RequestSigner;
import dev.form.core.auth.RequestVerifier;
import dev.form.core.auth.SignedHeaders;
import dev.form.core.auth.VerifiedRequest;
import dev.form.core.keys.Credentials;
import dev.form.core.keys.PersonalSign;
import dev.form.core.keys.Secp256k1Signature;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.web3j.crypto.ECDSASignature;
import org.web3j.crypto.Sign;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * Signed-request throughput on one thread: signing a request (client side), verifying it (service side:
 * header checks, canonical text, SHA-256 of the body, EIP-191 keccak, public-key recovery, address), and as the
 * baseline in the same run, bare secp256k1 public-key recovery from a precomputed digest (web3j on Bouncy
 * Castle), which dominates verification. The target: verify ≥ 70% of raw recovery. The nonce lookup is the
 * service registry's and is measured with it, not here.
 * <p>
 * Run: {@code java -cp <form-bench classes + dependencies> org.openjdk.jmh.Main dev.form.bench.auth}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 2, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SignedRequestBenchmark {
    private static final String METHOD = "POST";
    private static final String TARGET = "/v1/instances/web-1/disks";
    private static final long NOW = 1_800_000_000L;

    private Credentials key;
    private byte[] body;
    private SignedHeaders headers;
    private RequestVerifier verifier;
    private byte[] digest;
    private ECDSASignature rawSignature;
    private int recoveryId;

    @Setup
    public void setUp() {
        key = Credentials.fromPrivateKeyHex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
        body = "{\"path\":\"/srv/images/data.img\",\"readonly\":false,\"direct\":true}".getBytes(StandardCharsets.UTF_8);
        headers = RequestSigner.sign(key, METHOD, TARGET, body, RequestSigner.newNonce(), NOW + 60);
        verifier = new RequestVerifier(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC), Duration.ofMinutes(5));
        digest = PersonalSign.messageHash(CanonicalRequest.of(METHOD, TARGET, body, headers.nonce(), headers.expires()).bytes());
        Secp256k1Signature parsed = Secp256k1Signature.fromBytes(HexFormat.of().parseHex(headers.signature().substring(2)));
        rawSignature = new ECDSASignature(parsed.r(), parsed.s());
        recoveryId = parsed.recoveryId();
        if (!verify().address().equals(key.address())) throw new IllegalStateException("benchmark request does not verify");
    }

    /** Client side: fresh nonce, canonical text, SHA-256, EIP-191 hash, RFC 6979 signature. */
    @Benchmark
    public SignedHeaders sign() {
        return RequestSigner.sign(key, METHOD, TARGET, body, RequestSigner.newNonce(), NOW + 60);
    }

    /** Service side: everything RequestVerifier does for one request. */
    @Benchmark
    public VerifiedRequest verify() {
        return verifier.verify(METHOD, TARGET, body, headers);
    }

    /** Baseline: secp256k1 public-key recovery alone, from a precomputed digest. */
    @Benchmark
    public BigInteger rawRecovery() {
        return Sign.recoverFromSignature(recoveryId, rawSignature, digest);
    }
}
