# syntax=docker/dockerfile:1
#
# mjpeg-server on the official Tomcat image.
#   docker build -t mjpeg-server .
#   docker run -p 8080:8080 --user 1000:1000 -v ./config.yaml:/mjpeg-server/config.yaml:ro mjpeg-server

# --- Build: Maven and a JDK make the WAR (compiled for Java 17, runs on the 21 below). ---
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /build
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline -DexcludeScope=test || true
COPY src ./src
COPY webapp ./webapp
RUN mvn -B -q package -Dmaven.test.skip=true

# --- Run: the official Tomcat image, with our WAR as the only webapp. ---
FROM tomcat:10.1-jdk21-temurin

# The Python server's compose file mounts these paths; keep them.
ENV MJPEG_SERVER_CONFIG=/mjpeg-server/config.yaml

# JVM options sized for a small box (heap, GC, metaspace, stacks, code cache): each is explained in the file, and
# measured in the README (Performance). catalina.sh reads bin/setenv.sh at start, the official image's convention.
COPY src/main/docker/setenv.sh "$CATALINA_HOME/bin/setenv.sh"

# The image ships its sample webapps in webapps.dist and an empty webapps; ours goes in as ROOT.
# The connector is sized for streaming (README, Performance): a small fixed pool of request threads, since
# streams hold none, and 128 KB socket write buffers off the heap: a whole 720p frame fits, so Tomcat never copies
# the unsent rest of a frame into the heap.
# Error pages say nothing about the server, the access log leaves out query strings (where ?token= goes),
# and Tomcat's own directories belong to the runtime user,
# so `user: 1000:1000` can unpack the WAR and write work files, temp files and logs.
RUN rm -rf "$CATALINA_HOME/webapps.dist" "$CATALINA_HOME/webapps/"* \
 && sed -i 's|&quot;%r&quot;|\&quot;%m %U %H\&quot;|' "$CATALINA_HOME/conf/server.xml" \
 && sed -i 's|<Connector port="8080" protocol="HTTP/1.1"|<Connector port="8080" protocol="HTTP/1.1" maxThreads="16" minSpareThreads="16" socket.appWriteBufSize="131072" socket.directBuffer="true" maxHttpHeaderSize="4096" socket.appReadBufSize="2048"|' "$CATALINA_HOME/conf/server.xml" \
 && sed -i 's|</Host>|  <Valve className="org.apache.catalina.valves.ErrorReportValve" showReport="false" showServerInfo="false"/>\n      </Host>|' "$CATALINA_HOME/conf/server.xml" \
 && mkdir -p /mjpeg-server/images \
 && chown -R 1000:1000 "$CATALINA_HOME/webapps" "$CATALINA_HOME/work" "$CATALINA_HOME/temp" "$CATALINA_HOME/logs" /mjpeg-server

COPY --from=build --chown=1000:1000 /build/target/mjpeg-server.war "$CATALINA_HOME/webapps/ROOT.war"
COPY --chown=1000:1000 config.yaml /mjpeg-server/config.yaml
COPY --chown=1000:1000 images/ /mjpeg-server/images/

USER 1000:1000
EXPOSE 8080

# No curl needed: bash's /dev/tcp asks /health directly.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 && printf "GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3 && grep -q healthy <&3'

CMD ["catalina.sh", "run"]
