package dev.corral.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.corral.redis.testing.RedisTestServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionSecurityTest {

    @Test
    void aPasswordServerServesTheRightPasswordAndRefusesAWrongOneQuicklyWithoutPrintingIt() throws Exception {
        try (RedisTestServer redis = RedisTestServer.builder().password("s3cret-pw").start()) {
            roundTrip(redis.uri(), null);
            String wrong = "redis://:not-the-pw@127.0.0.1:" + redis.port();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> RedisQueue.connect(wrong, "q"))
                    .isInstanceOf(RedisQueueException.class)
                    .hasMessageContaining("refused the credentials")
                    .hasMessageContaining("redis://***@127.0.0.1:" + redis.port())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-pw"));
            assertThatThrownBy(() -> RedisWorker.builder(wrong).queue("q").handler("t", (c, p) -> { }).start())
                    .isInstanceOf(RedisQueueException.class)
                    .hasMessageContaining("refused the credentials");
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
            assertThatThrownBy(() -> RedisQueue.connect("redis://127.0.0.1:" + redis.port(), "q"))
                    .isInstanceOf(RedisQueueException.class)
                    .hasMessageContaining("refused the credentials");
        }
    }

    @Test
    void anAclUserServesTheRightPasswordAndRefusesAWrongOne() throws Exception {
        try (RedisTestServer redis = RedisTestServer.builder().user("app", "app-pw").start()) {
            assertThat(redis.uri()).startsWith("redis://app:app-pw@");
            roundTrip(redis.uri(), null);
            assertThatThrownBy(() -> RedisQueue.connect("redis://app:wrong-pw@127.0.0.1:" + redis.port(), "q"))
                    .isInstanceOf(RedisQueueException.class)
                    .hasMessageContaining("refused the credentials")
                    .hasMessageContaining("redis://app:***@")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-pw"));
        }
    }

    @Test
    void anUnreachableServerFailsWithinTheTimeoutWithAClearMessage() {
        int port = RedisTestServer.freePort();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> RedisQueue.builder("redis://user:pw@127.0.0.1:" + port).queue("q")
                .timeout(Duration.ofMillis(300)).build())
                .isInstanceOf(RedisQueueException.class)
                .hasMessageContaining("did not answer within 300 ms or the connection failed")
                .hasMessageContaining("redis://user:***@127.0.0.1:" + port)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(":pw@"));
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3_000);
    }

    @Test
    void aTlsServerIsReachedOverRedissWithATrustedCertificate(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl;
        try {
            openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "openssl is not installed: TLS test skipped");
            return;
        }
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue()).as(new String(openssl.getInputStream().readAllBytes())).isZero();
        int tlsPort = RedisTestServer.freePort();
        RedisTestServer redis;
        try {
            redis = RedisTestServer.builder().args("--port", "0", "--tls-port", Integer.toString(tlsPort),
                    "--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(),
                    "--tls-ca-cert-file", cert.toString(), "--tls-auth-clients", "no").start();
        } catch (IllegalStateException e) {
            assumeTrue(false, "this redis-server has no TLS support (" + RedisTestServer.binary() + "): " + e.getMessage());
            return;
        }
        try (redis) {
            SSLSocketFactory trusting = trusting(cert);
            String uri = "rediss://127.0.0.1:" + tlsPort;
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
                RedisQueue.builder(uri).queue("probe").sslSocketFactory(trusting).build().close();
                return true;
            });
            roundTrip(uri, trusting);
            // Without trusting the self-signed certificate the handshake fails, clearly.
            assertThatThrownBy(() -> RedisQueue.builder(uri).queue("q").timeout(Duration.ofSeconds(1)).build())
                    .isInstanceOf(RedisQueueException.class)
                    .hasMessageContaining("rediss://127.0.0.1:" + tlsPort);
            // The plain port is off: nothing leaks unencrypted.
            assertThatThrownBy(() -> RedisQueue.builder("redis://127.0.0.1:" + tlsPort).queue("q")
                    .timeout(Duration.ofSeconds(1)).build()).isInstanceOf(RedisQueueException.class);
        }
    }

    private static void roundTrip(String uri, SSLSocketFactory ssl) throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        RedisQueue.Builder qb = RedisQueue.builder(uri).queue("secure");
        RedisWorker.Builder wb = RedisWorker.builder(uri).queue("secure").handler("t", (ctx, p) -> {
            if (ctx.payloadText().equals("hello")) ran.countDown();
        });
        if (ssl != null) {
            qb.sslSocketFactory(ssl);
            wb.sslSocketFactory(ssl);
        }
        try (RedisQueue q = qb.build(); RedisWorker w = wb.start()) {
            q.enqueue("t", "hello");
            assertThat(ran.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(q.toString()).doesNotContain("pw");
        }
    }

    private static SSLSocketFactory trusting(Path certPem) throws Exception {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(certPem)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("redis", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx.getSocketFactory();
    }
}
