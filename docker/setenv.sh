# JVM options for mjpeg-server in Tomcat: sourced by catalina.sh at start (the Docker image copies this file to
# $CATALINA_HOME/bin/setenv.sh; for a WAR in your own Tomcat, copy it to its bin/setenv.sh).
CATALINA_OPTS="$CATALINA_OPTS -Djava.awt.headless=true -XX:+UseSerialGC -Xmx128m -XX:MaxMetaspaceSize=96m -Xss512k -XX:ReservedCodeCacheSize=48m"
export MALLOC_ARENA_MAX=2
