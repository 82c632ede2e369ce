package dev.corral.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueScriptsTest {

    private static final List<LuaScript> ALL = List.of(QueueScripts.ENQUEUE, QueueScripts.FETCH, QueueScripts.SETTLE,
            QueueScripts.EXTEND, QueueScripts.HEARTBEAT, QueueScripts.STATS, QueueScripts.REDRIVE);

    @Test
    void eachScriptIsThePreludeThenItsOwnTextUnderOneSha() throws Exception {
        String prelude = resource("prelude");
        for (LuaScript s : ALL) {
            byte[] source = (prelude + "\n" + resource(s.name())).getBytes(StandardCharsets.UTF_8);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source));
            assertThat(s.sha()).as(s.name()).isEqualTo(sha);
        }
    }

    @Test
    void theXinfoGroupsLoopIsWrittenOnceInThePrelude() throws IOException {
        assertThat(resource("prelude")).contains("'XINFO', 'GROUPS'");
        for (LuaScript s : ALL) {
            assertThat(resource(s.name())).as(s.name()).doesNotContain("'XINFO'").doesNotContain("redis.call('TIME')");
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = QueueScripts.class.getResourceAsStream("/dev/corral/redis/lua/" + name + ".lua")) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
