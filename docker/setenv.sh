# JVM options for mjpeg-server, sized for a small box (a NAS, a Raspberry Pi, a small VM) running up to ~50 cameras.
# catalina.sh reads bin/setenv.sh at start: the Docker image copies this file to $CATALINA_HOME/bin/setenv.sh, and a
# WAR in your own Tomcat gets the same by copying it to that Tomcat's bin/setenv.sh. The README (Performance) shows
# what they save, measured. Every option works on Java 17, 21 and 25.
#
# -XX:+UseSerialGC      One collector thread and no G1 remembered sets or card tables: the least memory and CPU for
#                       a heap this small, with pauses of a few milliseconds.
# -Xmx256m              A cap, not a size: with -Xms16m the heap grows only to what is used. It holds each image's
#                       latest frame twice (the JPEG, and the same bytes as a stream part: ~200 KB for a 100 KB
#                       picture), a body in flight per camera, with image_validation valid_jpeg or conversion a
#                       decoded picture per fetch running at once (2.7 MB at 1280x720, 6 MB at 1920x1080), and
#                       Tomcat's ~70 KB per open stream: 50 cameras with a viewer each live in ~40 MB, 2000 viewers
#                       of one camera in ~160 MB. Raise it for more viewers, cameras or pixels than that.
# -Xms16m               Start small.
# -XX:MaxDirectMemorySize=1g  Direct buffers are not heap: Tomcat's 128 KB socket write buffer per viewer (see the
#                       connector in the Dockerfile) lives there, ~130 MB at 1000 viewers. Without this the cap
#                       would be -Xmx, and a large audience would fail with OutOfMemoryError.
# -XX:MaxMetaspaceSize=96m   Tomcat, Jersey and Jackson take ~45 MB of class metadata; the cap turns a class
#                       loader leak (say, many redeploys) into an error instead of a slow growth.
# -XX:ReservedCodeCacheSize=48m  Compiled code needs ~20 MB here; the default reserves 240 MB.
# -Xss512k              Half the default stack per thread: there are ~70 threads, none recursing deeply.
# MALLOC_ARENA_MAX=2    glibc otherwise gives each thread that allocates natively an arena of its own, up to 8 per
#                       core, whose touched pages stay resident.
# Class data sharing: the JDK's own archive is on by default; an archive of the webapp's classes
# (-XX:+AutoCreateSharedArchive, Java 19+) would speed a start by about a second but not shrink a single process.
CATALINA_OPTS="$CATALINA_OPTS -Djava.awt.headless=true -XX:+UseSerialGC -Xms16m -Xmx256m -XX:MaxDirectMemorySize=1g \
-XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=48m -Xss512k"
export MALLOC_ARENA_MAX=2
