#ifndef CONCURRENCY_MOCK_CLIBEVENT_SHIM_H
#define CONCURRENCY_MOCK_CLIBEVENT_SHIM_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <malloc.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

/* evsignal_new is a function-like macro, which Swift does not import. */
static inline struct event *clibevent_signal_new(struct event_base *base, int signum,
                                                 event_callback_fn callback, void *argument) {
    return evsignal_new(base, signum, callback, argument);
}

#endif
