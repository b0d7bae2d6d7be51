# JVM options for mjpeg-server, sized for a small box (a NAS, a Raspberry Pi, a small VM) running up to ~50 cameras.
# catalina.sh reads bin/setenv.sh at start: the Docker image copies this file to $CATALINA_HOME/bin/setenv.sh, and a
# WAR in your own Tomcat gets the same by copying it to that Tomcat's bin/setenv.sh. The README (Performance, Many
# cameras) shows what they save, measured. Every option works on Java 17, 21 and 25.
#
# -XX:+UseSerialGC      One collector thread and no G1 remembered sets or card tables: the least memory and CPU for
#                       a heap this small, with pauses of a few milliseconds.
# -Xmx256m              A cap, not a size: the heap grows only to what is used. It holds each image's latest frame
#                       twice (the JPEG, and the same bytes as a stream part: ~200 KB for a 100 KB picture), a body
#                       in flight per camera, and Tomcat's ~70 KB per open stream: 50 cameras with a viewer each
#                       live in ~40 MB, 1000 viewers of one camera in ~90 MB. Raise it for more viewers or cameras.
# -Xms16m -Xmn12m       A fixed young generation big enough that what a fetch allocates and drops (a body, a full
#                       decode's picture of 1 to 6 MB where the quick check cannot judge) dies there, young, instead
#                       of growing the old generation; small enough that its touched pages stay few: 24 MB cost
#                       10 MB more resident memory idle and with 20 cameras for no measurable CPU (README).
# -XX:TieredStopAtLevel=1  Only the quick compiler: no C2 compiler thread and its memory, little compiled code,
#                       compilation done within seconds of start: 20 cameras in ~150 MB instead of ~175 MB, the
#                       default config idle in ~112 instead of ~120 MB. Its code is slower: with valid_jpeg a fetch
#                       costs ~3.3 ms of CPU instead of ~2.1 once the optimising compiler has settled, and a frame to
#                       one of 1000 viewers ~15 % more. Where CPU matters more than those 25 MB (many cameras on a
#                       small CPU, or hundreds of viewers), start with MJPEG_SERVER_JIT=full
#                       (docker run -e MJPEG_SERVER_JIT=full ...) to keep both compilers.
# -XX:MaxDirectMemorySize=1g  Direct buffers are not heap: Tomcat's 128 KB socket write buffer per viewer (see the
#                       connector in the Dockerfile) lives there, ~130 MB at 1000 viewers. Without this the cap
#                       would be -Xmx, and a large audience would fail with OutOfMemoryError.
# -XX:MaxMetaspaceSize=96m   Tomcat, Jersey and Jackson take ~31 MB of class metadata; the cap turns a class
#                       loader leak (say, many redeploys) into an error instead of a slow growth.
# -XX:ReservedCodeCacheSize=48m  Compiled code needs ~10 MB here; the default reserves 240 MB.
# -Xss512k              Half the default stack per thread: there are ~60 threads, none recursing deeply.
# MALLOC_ARENA_MAX=2    glibc otherwise gives each thread that allocates natively an arena of its own, up to 8 per
#                       core, whose touched pages stay resident.
# Class data sharing: the JDK's own archive is on by default; an archive of the webapp's classes
# (-XX:+AutoCreateSharedArchive, Java 19+) would speed a start but not shrink a single process.
CATALINA_OPTS="$CATALINA_OPTS -Djava.awt.headless=true -XX:+UseSerialGC -Xms16m -Xmx256m -Xmn12m \
-XX:MaxDirectMemorySize=1g -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=48m -Xss512k"
if [ "${MJPEG_SERVER_JIT:-quick}" != "full" ]; then
  CATALINA_OPTS="$CATALINA_OPTS -XX:TieredStopAtLevel=1"
fi
export MALLOC_ARENA_MAX=2
