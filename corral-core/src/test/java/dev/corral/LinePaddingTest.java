package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.internal.MpmcRing;
import dev.corral.internal.PaddedLongs;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The objects read on every task keep their fields at least 64 bytes from any other object, as
 * PoolEngine's line padding says, in the layout of the JVM that runs the tests. The padding
 * depends on how the JVM orders fields (primitives first, the gap after the header filled by the
 * first int, references last in the order declared): a field added in the wrong place, a padding
 * field dropped, or a JVM that orders fields differently shows here. With PollGate's trailing
 * references taken out, this test failed: {@code PollGate.turns} ended 5 bytes before the object.
 */
@Timeout(60)
class LinePaddingTest {

    private static final int LINE = 64;
    private static final Pattern PADDING = Pattern.compile("g0|p\\d+|q\\d+");

    @Test
    void everyFieldOfAPaddedObjectIsALineAwayFromItsNeighbours() throws Exception {
        for (Class<?> c : List.of(PoolEngine.class, MpmcRing.class, PaddedLongs.class, PollGate.class, SubmitterQueue.class)) {
            Layout l = Layout.of(c);
            for (Slot s : l.fields) {
                assertThat(s.offset).as("%s.%s starts %d bytes into the object (the object before ends before it)",
                        c.getSimpleName(), s.name, s.offset).isGreaterThanOrEqualTo(LINE - 1);
                assertThat(l.end - s.last()).as("%s.%s: bytes from its last byte (%d) to the end of the object (%d)",
                        c.getSimpleName(), s.name, s.last(), l.end).isGreaterThanOrEqualTo(LINE);
            }
        }
    }

    /** The turns are an AQS: their count comes first, so only the object after them is kept off its line. */
    @Test
    void theGatesTurnsEndInALineOfPadding() throws Exception {
        Layout l = Layout.of(PollGate.Turns.class);
        Slot state = l.fields.stream().filter(s -> s.name.equals("state")).findFirst().orElseThrow();
        for (Slot s : l.fields) {
            assertThat(l.end - s.last()).as("Turns.%s: bytes to the end of the object (%d)", s.name, l.end)
                    .isGreaterThanOrEqualTo(LINE);
        }
        assertThat(state.offset).as("the count sits in the object's first line").isLessThan(LINE);
    }

    private record Slot(String name, long offset, int size) {
        long last() {
            return offset + size - 1;
        }
    }

    /** The non-padding fields of a class (its superclasses' too) and where the object ends. */
    private record Layout(List<Slot> fields, long end) {
        static Layout of(Class<?> c) throws Exception {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            Object unsafe = theUnsafe.get(null);
            Method offsetOf = unsafeClass.getMethod("objectFieldOffset", Field.class);
            Method addressSize = unsafeClass.getMethod("arrayIndexScale", Class.class);
            int refSize = (int) addressSize.invoke(unsafe, Object[].class);
            List<Slot> fields = new ArrayList<>();
            long end = 0;
            for (Class<?> k = c; k != Object.class; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers())) {
                        continue;
                    }
                    long offset = (long) offsetOf.invoke(unsafe, f);
                    int size = sizeOf(f.getType(), refSize);
                    end = Math.max(end, offset + size);
                    if (k == c || k.getName().startsWith("dev.corral")) {
                        if (!PADDING.matcher(f.getName()).matches()) {
                            fields.add(new Slot(f.getName(), offset, size));
                        }
                    } else {
                        fields.add(new Slot(f.getName(), offset, size)); // a JDK superclass's fields
                    }
                }
            }
            assertThat(fields).as("%s has fields", c.getSimpleName()).isNotEmpty();
            return new Layout(fields, (end + 7) & ~7L); // objects start 8-byte aligned at least
        }

        private static int sizeOf(Class<?> t, int refSize) {
            if (!t.isPrimitive()) {
                return refSize;
            }
            return t == long.class || t == double.class ? 8 : t == int.class || t == float.class ? 4
                    : t == short.class || t == char.class ? 2 : 1;
        }
    }
}
