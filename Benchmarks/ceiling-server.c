/*
 * ceiling-server: the fastest answer evhttp can give, for scripts/bench to compare against.
 *
 * A plain libevent HTTP server (one event_base, one evhttp, as libevent's sample/http-server.c)
 * that answers a fixed set of requests with responses captured from concurrency-mock: for a
 * request target (path and query, exactly as sent) listed in the manifest it sends the captured
 * status, headers and body bytes; anything else gets 404. No parsing, no JSON, no allocation per
 * request beyond what evhttp itself does, so its requests/s is the ceiling for the mock's.
 *
 * Usage: ceiling-server --manifest FILE [--host 127.0.0.1] [--port 0] [--nagle] [--changelist]
 *
 * The manifest has one line per response: TARGET<TAB>HEADERS_FILE<TAB>BODY_FILE. HEADERS_FILE is
 * what `curl -D` writes: the status line, then `Name: value` lines. Framing headers
 * (Content-Length, Date, Connection, Transfer-Encoding, Keep-Alive) are left to evhttp, which
 * adds its own exactly as it does for the mock.
 *
 * TCP_NODELAY is set on the listening socket, which Linux passes on to every accepted connection:
 * evhttp writes at most 16 KiB per write(2), so with Nagle's algorithm on, the tail of a larger
 * response waits for the client's delayed ACK (about 40 ms on Linux). The ceiling is the best
 * evhttp can do, so it avoids that; --nagle leaves Nagle on, as evhttp does by default.
 *
 * --changelist makes the event base apply one loop pass's epoll changes together
 * (EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST), as the mock does: two epoll_ctl calls a request instead
 * of plain evhttp's four. Without it the ceiling is plain evhttp.
 *
 * Prints `listening on http://HOST:PORT` on stdout once it accepts connections, like the mock.
 * Stops on SIGINT or SIGTERM and frees everything it allocated.
 *
 * Ownership: `struct route` owns its target, reason, header strings and body; the route table
 * owns the routes; main() owns the table and the libevent objects and frees them on the way out.
 * evhttp only borrows body bytes (evbuffer_add_reference), which outlive the event loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

/* Named limits: a manifest beyond them is refused at start, never truncated. */
enum {
    MAX_ROUTES = 64,                      /* responses one server holds */
    MAX_HEADERS_PER_ROUTE = 32,           /* captured header fields per response */
    MAX_LINE_BYTES = 16 * 1024,           /* one manifest or header line, newline included */
    MAX_BODY_BYTES = 64 * 1024 * 1024,    /* one captured body */
    CONNECTION_TIMEOUT_SECONDS = 60,      /* the mock's evhttp_set_timeout */
    MAX_HEADER_BYTES = 64 * 1024,         /* the mock's evhttp_set_max_headers_size */
};

struct header {
    char *name;
    char *value;
};

struct route {
    char *target;
    int status;
    char *reason;
    struct header headers[MAX_HEADERS_PER_ROUTE];
    size_t header_count;
    char *body;
    size_t body_length;
};

struct route_table {
    struct route routes[MAX_ROUTES];
    size_t count;
};

static void route_free(struct route *route)
{
    free(route->target);
    free(route->reason);
    for (size_t i = 0; i < route->header_count; i++) {
        free(route->headers[i].name);
        free(route->headers[i].value);
    }
    free(route->body);
    memset(route, 0, sizeof *route);
}

static void table_free(struct route_table *table)
{
    for (size_t i = 0; i < table->count; i++) route_free(&table->routes[i]);
    table->count = 0;
}

static char *copy_string(const char *text, size_t length)
{
    char *copy = malloc(length + 1);
    if (copy == NULL) return NULL;
    memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

/* Removes a trailing "\n" or "\r\n" in place; answers the new length. */
static size_t chomp(char *line)
{
    size_t length = strlen(line);
    while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r')) line[--length] = '\0';
    return length;
}

/* Headers evhttp writes itself for every answer; copying them would send them twice. */
static int is_framing_header(const char *name)
{
    static const char *const framing[] = {"Content-Length", "Date", "Connection", "Transfer-Encoding", "Keep-Alive"};
    for (size_t i = 0; i < sizeof framing / sizeof framing[0]; i++) {
        if (strcasecmp(name, framing[i]) == 0) return 1;
    }
    return 0;
}

/* Reads a `curl -D` header file into the route's status, reason and headers. 0 on success. */
static int load_headers(struct route *route, const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "ceiling-server: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[MAX_LINE_BYTES];
    int result = -1;
    if (fgets(line, sizeof line, file) == NULL) {
        fprintf(stderr, "ceiling-server: %s is empty\n", path);
        goto done;
    }
    chomp(line);
    int status = 0;
    int reason_offset = 0;
    if (sscanf(line, "HTTP/%*s %3d %n", &status, &reason_offset) < 1 || status < 100 || status > 599) {
        fprintf(stderr, "ceiling-server: %s does not start with an HTTP status line\n", path);
        goto done;
    }
    route->status = status;
    const char *reason = reason_offset > 0 ? line + reason_offset : "";
    if ((route->reason = copy_string(reason, strlen(reason))) == NULL) goto done;
    while (fgets(line, sizeof line, file) != NULL) {
        if (chomp(line) == 0) break; /* the blank line ending the header block */
        char *colon = strchr(line, ':');
        if (colon == NULL) {
            fprintf(stderr, "ceiling-server: %s: not a header line: %s\n", path, line);
            goto done;
        }
        *colon = '\0';
        const char *value = colon + 1;
        while (*value == ' ' || *value == '\t') value++;
        if (is_framing_header(line)) continue;
        if (route->header_count == MAX_HEADERS_PER_ROUTE) {
            fprintf(stderr, "ceiling-server: %s has more than %d headers\n", path, MAX_HEADERS_PER_ROUTE);
            goto done;
        }
        struct header *header = &route->headers[route->header_count];
        header->name = copy_string(line, strlen(line));
        header->value = copy_string(value, strlen(value));
        route->header_count++;
        if (header->name == NULL || header->value == NULL) goto done;
    }
    result = 0;
done:
    fclose(file);
    return result;
}

/* Reads the whole body file into the route. 0 on success. */
static int load_body(struct route *route, const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "ceiling-server: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    int result = -1;
    long length;
    if (fseek(file, 0, SEEK_END) != 0 || (length = ftell(file)) < 0 || fseek(file, 0, SEEK_SET) != 0) {
        fprintf(stderr, "ceiling-server: cannot size %s\n", path);
        goto done;
    }
    if (length > MAX_BODY_BYTES) {
        fprintf(stderr, "ceiling-server: %s is larger than %d bytes\n", path, MAX_BODY_BYTES);
        goto done;
    }
    route->body = malloc(length > 0 ? (size_t)length : 1);
    if (route->body == NULL) goto done;
    if (fread(route->body, 1, (size_t)length, file) != (size_t)length) {
        fprintf(stderr, "ceiling-server: cannot read %s\n", path);
        goto done;
    }
    route->body_length = (size_t)length;
    result = 0;
done:
    fclose(file);
    return result;
}

/* Fills the table from the manifest. 0 on success; on failure the caller frees the table. */
static int load_manifest(struct route_table *table, const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "ceiling-server: cannot open manifest %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[MAX_LINE_BYTES];
    int result = -1;
    while (fgets(line, sizeof line, file) != NULL) {
        if (chomp(line) == 0) continue;
        char *headers_path = strchr(line, '\t');
        char *body_path = headers_path ? strchr(headers_path + 1, '\t') : NULL;
        if (body_path == NULL) {
            fprintf(stderr, "ceiling-server: manifest line is not TARGET<TAB>HEADERS<TAB>BODY: %s\n", line);
            goto done;
        }
        *headers_path++ = '\0';
        *body_path++ = '\0';
        if (table->count == MAX_ROUTES) {
            fprintf(stderr, "ceiling-server: the manifest lists more than %d responses\n", MAX_ROUTES);
            goto done;
        }
        struct route *route = &table->routes[table->count++];
        if ((route->target = copy_string(line, strlen(line))) == NULL) goto done;
        if (load_headers(route, headers_path) != 0 || load_body(route, body_path) != 0) goto done;
    }
    if (table->count == 0) {
        fprintf(stderr, "ceiling-server: the manifest %s lists no response\n", path);
        goto done;
    }
    result = 0;
done:
    fclose(file);
    return result;
}

static void handle_request(struct evhttp_request *request, void *argument)
{
    const struct route_table *table = argument;
    const char *target = evhttp_request_get_uri(request);
    struct evkeyvalq *output_headers = evhttp_request_get_output_headers(request);
    for (size_t i = 0; i < table->count; i++) {
        const struct route *route = &table->routes[i];
        if (strcmp(route->target, target) != 0) continue;
        for (size_t h = 0; h < route->header_count; h++) {
            evhttp_add_header(output_headers, route->headers[h].name, route->headers[h].value);
        }
        struct evbuffer *body = evbuffer_new();
        if (body == NULL) {
            evhttp_send_error(request, 500, NULL);
            return;
        }
        evbuffer_add_reference(body, route->body, route->body_length, NULL, NULL);
        evhttp_send_reply(request, route->status, route->reason, body);
        evbuffer_free(body);
        return;
    }
    evhttp_add_header(output_headers, "Content-Type", "text/plain");
    struct evbuffer *body = evbuffer_new();
    if (body != NULL) evbuffer_add_printf(body, "not captured: %s\n", target);
    evhttp_send_reply(request, 404, "Not Found", body);
    if (body != NULL) evbuffer_free(body);
}

static void stop_loop(evutil_socket_t signal_number, short events, void *argument)
{
    (void)signal_number;
    (void)events;
    event_base_loopexit(argument, NULL);
}

static int bound_port(struct evhttp_bound_socket *handle)
{
    struct sockaddr_storage address;
    socklen_t length = sizeof address;
    if (getsockname(evhttp_bound_socket_get_fd(handle), (struct sockaddr *)&address, &length) != 0) return -1;
    if (address.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&address)->sin_port);
    if (address.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&address)->sin6_port);
    return -1;
}

static int usage(void)
{
    fprintf(stderr, "usage: ceiling-server --manifest FILE [--host 127.0.0.1] [--port 0] [--nagle] [--changelist]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    const char *manifest = NULL;
    long port = 0;
    int nagle = 0;
    int changelist = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--nagle") == 0) {
            nagle = 1;
            continue;
        }
        if (strcmp(argv[i], "--changelist") == 0) {
            changelist = 1;
            continue;
        }
        if (i + 1 >= argc) return usage();
        if (strcmp(argv[i], "--host") == 0) {
            host = argv[++i];
        } else if (strcmp(argv[i], "--port") == 0) {
            char *end = NULL;
            port = strtol(argv[++i], &end, 10);
            if (*end != '\0' || port < 0 || port > 65535) return usage();
        } else if (strcmp(argv[i], "--manifest") == 0) {
            manifest = argv[++i];
        } else {
            return usage();
        }
    }
    if (manifest == NULL) return usage();

    static struct route_table table; /* static: about 60 KiB of fixed-size slots */
    int exit_code = 1;
    struct event_base *base = NULL;
    struct evhttp *http = NULL;
    struct event *signal_events[2] = {NULL, NULL};
    if (load_manifest(&table, manifest) != 0) goto done;

    signal(SIGPIPE, SIG_IGN);
    struct event_config *configuration = event_config_new();
    if (configuration != NULL) {
        if (changelist) event_config_set_flag(configuration, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
        base = event_base_new_with_config(configuration);
        event_config_free(configuration);
    }
    if (base == NULL || (http = evhttp_new(base)) == NULL) {
        fprintf(stderr, "ceiling-server: libevent could not create an event base or HTTP server\n");
        goto done;
    }
    evhttp_set_max_headers_size(http, MAX_HEADER_BYTES);
    evhttp_set_timeout(http, CONNECTION_TIMEOUT_SECONDS);
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
    evhttp_set_default_content_type(http, NULL); /* the captured headers carry their own */
    evhttp_set_gencb(http, handle_request, &table);

    struct evhttp_bound_socket *handle = evhttp_bind_socket_with_handle(http, host, (ev_uint16_t)port);
    if (handle == NULL) {
        fprintf(stderr, "ceiling-server: cannot listen on %s:%ld\n", host, port);
        goto done;
    }
    const int no_delay = 1;
    if (!nagle && setsockopt(evhttp_bound_socket_get_fd(handle), IPPROTO_TCP, TCP_NODELAY, &no_delay, sizeof no_delay) != 0) {
        fprintf(stderr, "ceiling-server: cannot set TCP_NODELAY: %s\n", strerror(errno));
        goto done;
    }
    const int signal_numbers[2] = {SIGINT, SIGTERM};
    for (int i = 0; i < 2; i++) {
        signal_events[i] = evsignal_new(base, signal_numbers[i], stop_loop, base);
        if (signal_events[i] == NULL || event_add(signal_events[i], NULL) != 0) {
            fprintf(stderr, "ceiling-server: cannot watch signal %d\n", signal_numbers[i]);
            goto done;
        }
    }
    const int is_ipv6 = strchr(host, ':') != NULL;
    printf("listening on http://%s%s%s:%d\n", is_ipv6 ? "[" : "", host, is_ipv6 ? "]" : "", bound_port(handle));
    fflush(stdout);

    exit_code = event_base_dispatch(base) == -1 ? 1 : 0;
done:
    for (int i = 0; i < 2; i++) {
        if (signal_events[i] != NULL) event_free(signal_events[i]);
    }
    if (http != NULL) evhttp_free(http);
    if (base != NULL) event_base_free(base);
    table_free(&table);
    return exit_code;
}
