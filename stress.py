import threading, time, http.client
res = []
def go():
    t = time.time()
    c = http.client.HTTPConnection("127.0.0.1", 18954, timeout=10)
    c.request("GET", "/versions"); r = c.getresponse(); r.read()
    res.append((r.status, time.time() - t))
ts = [threading.Thread(target=go) for _ in range(200)]
t0 = time.time()
[t.start() for t in ts]; [t.join() for t in ts]
print(len(res), set(s for s, _ in res), "max %.3f min %.3f total %.3f" % (max(d for _, d in res), min(d for _, d in res), time.time() - t0))
