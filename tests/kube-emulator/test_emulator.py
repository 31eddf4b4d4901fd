#!/usr/bin/env python3
"""Unit tests of the emulator's own logic (no kubectl/helm needed):

    python3 tests/kube-emulator/test_emulator.py
"""

import json
import os
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import emulator as E  # noqa: E402


def deployment(name="web", replicas=1, image="img:1", env=None, annotations=None):
    c = {"name": "web", "image": image}
    if env is not None:
        c["env"] = env
    meta = {"name": name, "labels": {"app": name}}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [c]}}}}


class Logic(unittest.TestCase):
    def setUp(self):
        self.emu = E.Emulator()
        self.dep = self.emu.resources[("apps", "deployments")]
        self.cm = self.emu.resources[("", "configmaps")]

    def test_label_selectors(self):
        m = E.label_matcher("a=1,b!=2,c in (x, y),!d,e,f notin (z)")
        self.assertTrue(m({"a": "1", "b": "3", "c": "x", "e": ""}))
        self.assertFalse(m({"a": "1", "b": "2", "c": "x", "e": ""}))
        self.assertFalse(m({"a": "1", "c": "q", "e": ""}))
        self.assertFalse(m({"a": "1", "c": "x", "d": "", "e": ""}))
        self.assertFalse(m({"a": "1", "c": "x", "e": "", "f": "z"}))
        self.assertTrue(E.label_matcher("")({}))

    def test_field_selector(self):
        m = E.field_matcher("metadata.name=x,metadata.namespace!=kube-system")
        self.assertTrue(m({"metadata": {"name": "x", "namespace": "default"}}))
        self.assertFalse(m({"metadata": {"name": "x", "namespace": "kube-system"}}))

    def test_json_patch(self):
        doc = {"a": {"b": [1, 2]}, "c": 1}
        out = E.json_patch(doc, [{"op": "add", "path": "/a/b/-", "value": 3},
                                 {"op": "replace", "path": "/c", "value": 2},
                                 {"op": "remove", "path": "/a/b/0"},
                                 {"op": "copy", "from": "/c", "path": "/d"},
                                 {"op": "test", "path": "/d", "value": 2}])
        self.assertEqual(out, {"a": {"b": [2, 3]}, "c": 2, "d": 2})
        with self.assertRaises(E.ApiError):
            E.json_patch(doc, [{"op": "test", "path": "/c", "value": 5}])

    def test_strategic_merge_patch(self):
        cur = deployment(env=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])
        patch = {"$setElementOrder/x": [], "spec": {"template": {"spec": {"containers": [
            {"name": "web", "image": "img:2", "env": [{"name": "B", "$patch": "delete"},
                                                      {"name": "C", "value": "3"}]},
            {"name": "side", "image": "s:1"}]}}, "replicas": None}}
        out = E.strategic_merge_patch(cur, patch)
        cs = out["spec"]["template"]["spec"]["containers"]
        self.assertEqual([c["name"] for c in cs], ["web", "side"])
        self.assertEqual(cs[0]["image"], "img:2")
        self.assertEqual(cs[0]["env"], [{"name": "A", "value": "1"}, {"name": "C", "value": "3"}])
        self.assertNotIn("replicas", out["spec"])
        self.assertNotIn("$setElementOrder/x", out)

    def test_create_get_conflict_generation(self):
        self.emu.create(self.dep, "default", deployment(), {})
        with self.assertRaises(E.ApiError) as e:
            self.emu.create(self.dep, "default", deployment(), {})
        self.assertEqual((e.exception.code, e.exception.reason), (409, "AlreadyExists"))
        self.assertEqual(e.exception.message, 'deployments.apps "web" already exists')
        obj = self.emu.get(self.dep, "default", "web")
        self.assertEqual(obj["metadata"]["generation"], 1)
        stale = json.loads(json.dumps(obj))
        new = json.loads(json.dumps(obj))
        new["spec"]["replicas"] = 3
        out = self.emu.update(self.dep, "default", "web", new, {})
        self.assertEqual(out["metadata"]["generation"], 2)
        self.assertGreater(int(out["metadata"]["resourceVersion"]),
                           int(obj["metadata"]["resourceVersion"]))
        # a label change does not bump the generation
        lab = json.loads(json.dumps(out))
        lab["metadata"]["labels"]["x"] = "y"
        self.assertEqual(self.emu.update(self.dep, "default", "web", lab, {})["metadata"][
            "generation"], 2)
        stale["spec"]["replicas"] = 5
        with self.assertRaises(E.ApiError) as e:
            self.emu.update(self.dep, "default", "web", stale, {})
        self.assertEqual(e.exception.reason, "Conflict")
        self.assertIn("the object has been modified", e.exception.message)
        with self.assertRaises(E.ApiError) as e:
            self.emu.get(self.dep, "default", "nope")
        self.assertEqual(e.exception.status()["details"],
                         {"name": "nope", "group": "apps", "kind": "deployments"})
        with self.assertRaises(E.ApiError) as e:
            self.emu.create(self.dep, "missing", deployment(), {})
        self.assertEqual(e.exception.message, 'namespaces "missing" not found')

    def test_server_side_apply(self):
        q = {"fieldManager": "a"}
        cfg = deployment(env=[{"name": "A", "value": "1"}])
        self.emu.apply(self.dep, "default", "web", json.dumps(cfg).encode(), q)
        # the same manager drops env: the field goes away
        cfg2 = deployment()
        out = self.emu.apply(self.dep, "default", "web", json.dumps(cfg2).encode(), q)
        self.assertNotIn("env", out["spec"]["template"]["spec"]["containers"][0])
        # another manager changing an owned field conflicts; equal values do not
        cfg3 = deployment(replicas=1)
        self.emu.apply(self.dep, "default", "web", json.dumps(cfg3).encode(),
                       {"fieldManager": "b"})
        cfg4 = deployment(replicas=2)
        with self.assertRaises(E.ApiError) as e:
            self.emu.apply(self.dep, "default", "web", json.dumps(cfg4).encode(),
                           {"fieldManager": "c"})
        self.assertEqual(e.exception.code, 409)
        self.assertIn("conflicts with", e.exception.message)
        self.assertEqual({c["field"] for c in e.exception.details["causes"]}, {".spec.replicas"})
        out = self.emu.apply(self.dep, "default", "web", json.dumps(cfg4).encode(),
                             {"fieldManager": "c", "force": "true"})
        self.assertEqual(out["spec"]["replicas"], 2)
        managers = {m["manager"] for m in out["metadata"]["managedFields"]}
        self.assertEqual(managers, {"a", "b", "c"})
        with self.assertRaises(E.ApiError) as e:
            self.emu.apply(self.dep, "default", "web", b"{}", {})
        self.assertIn("fieldManager: Required value", e.exception.message)
        # YAML bodies
        out = self.emu.apply(self.cm, "default", "c", b"apiVersion: v1\nkind: ConfigMap\n"
                             b"metadata:\n  name: c\ndata:\n  k: |\n    line\n", q)
        self.assertEqual(out["data"], {"k": "line\n"})

    def test_list_limit_continue(self):
        for i in range(5):
            self.emu.create(self.cm, "default", {"metadata": {"name": "c%d" % i,
                                                              "labels": {"n": str(i % 2)}}}, {})
        page = self.emu.list(self.cm, "default", {"limit": "2"})
        names = [o["metadata"]["name"] for o in page["items"]]
        self.assertEqual(names, ["c0", "c1"])
        self.assertEqual(page["metadata"]["remainingItemCount"], 3)
        page2 = self.emu.list(self.cm, "default", {"limit": "10",
                                                   "continue": page["metadata"]["continue"]})
        self.assertEqual([o["metadata"]["name"] for o in page2["items"]], ["c2", "c3", "c4"])
        self.assertNotIn("continue", page2["metadata"])
        sel = self.emu.list(self.cm, "", {"labelSelector": "n=1"})
        self.assertEqual([o["metadata"]["name"] for o in sel["items"]], ["c1", "c3"])

    def test_gc_and_namespace_deletion(self):
        ns = self.emu.resources[("", "namespaces")]
        self.emu.create(ns, None, {"metadata": {"name": "t"}}, {})
        owner = self.emu.create(self.dep, "t", deployment(), {})
        self.emu.create(self.cm, "t", {"metadata": {"name": "child", "ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
             "uid": owner["metadata"]["uid"]}]}}, {})
        self.emu.delete(self.dep, "t", "web", {}, {})
        with self.assertRaises(E.ApiError):
            self.emu.get(self.cm, "t", "child")
        self.emu.create(self.cm, "t", {"metadata": {"name": "other"}}, {})
        out = self.emu.delete(ns, "", "t", {}, {})
        self.assertEqual(out["status"]["phase"], "Terminating")
        for _ in range(50):
            if ("", "t") not in self.emu.objects[("", "namespaces")]:
                break
            time.sleep(0.02)
        self.assertNotIn(("t", "other"), self.emu.objects[("", "configmaps")])
        self.assertNotIn(("", "t"), self.emu.objects[("", "namespaces")])

    def test_crd_registers_resource(self):
        crd = self.emu.resources[("apiextensions.k8s.io", "customresourcedefinitions")]
        out = self.emu.create(crd, None, {"metadata": {"name": "widgets.example.com"}, "spec": {
            "group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [{"name": "v1", "served": True, "storage": True}]}}, {})
        self.assertIn({"Established": "True"}, [{c["type"]: c["status"]}
                                                for c in out["status"]["conditions"]])
        r = self.emu.find("example.com", "v1", "widgets")
        self.assertIsNotNone(r)
        w = self.emu.create(r, "default", {"apiVersion": "example.com/v1", "kind": "Widget",
                                           "metadata": {"name": "w"}, "spec": {"a": 1}}, {})
        self.assertEqual(w["metadata"]["generation"], 1)

    def test_yaml_reader(self):
        y = E.parse_yaml_or_json(b"a: 1\nb:\n  - x: y\n    z: 'q'\n  - plain\nc: {\"k\": 1}\n"
                                 b"d: \"s\"\ne: true\n")
        self.assertEqual(y, {"a": 1, "b": [{"x": "y", "z": "q"}, "plain"], "c": {"k": 1},
                             "d": "s", "e": True})


class Http(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        E.Emulator.bookmark_interval = 0.3
        cls.emu = E.Emulator()
        E.Handler.emu = cls.emu
        E.Handler.token = None
        cls.srv = E.Server(("127.0.0.1", 0), E.Handler)
        cls.base = "http://127.0.0.1:%d" % cls.srv.server_address[1]
        threading.Thread(target=cls.srv.serve_forever, daemon=True).start()
        cls.ctl = E.Controller(cls.emu, 0.05)
        cls.ctl.start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.shutdown()
        cls.srv.server_close()

    def req(self, method, path, body=None, ctype="application/json"):
        data = json.dumps(body).encode() if body is not None else None
        r = urllib.request.Request(self.base + path, data=data, method=method,
                                   headers={"Content-Type": ctype})
        try:
            with urllib.request.urlopen(r) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def test_discovery(self):
        code, body = self.req("GET", "/apis")
        self.assertEqual(code, 200)
        self.assertIn("apps", [g["name"] for g in json.loads(body)["groups"]])
        code, body = self.req("GET", "/openapi/v3/apis/apps/v1")
        ops = json.loads(body)["paths"]
        self.assertIn("/apis/apps/v1/namespaces/{namespace}/deployments/{name}", ops)

    def test_watch_and_patch_types(self):
        code, body = self.req("POST", "/api/v1/namespaces/default/configmaps",
                              {"metadata": {"name": "w"}, "data": {"a": "1"}})
        self.assertEqual(code, 201)
        rv = json.loads(body)["metadata"]["resourceVersion"]
        code, _ = self.req("PATCH", "/api/v1/namespaces/default/configmaps/w",
                           {"data": {"b": "2"}}, "application/merge-patch+json")
        self.assertEqual(code, 200)
        code, body = self.req("PATCH", "/api/v1/namespaces/default/configmaps/w",
                              [{"op": "remove", "path": "/data/a"}],
                              "application/json-patch+json")
        self.assertEqual(json.loads(body)["data"], {"b": "2"})
        code, body = self.req("PATCH", "/api/v1/namespaces/default/configmaps/w", {},
                              "text/plain")
        self.assertEqual(code, 415)
        self.req("DELETE", "/api/v1/namespaces/default/configmaps/w")
        with urllib.request.urlopen(self.base + "/api/v1/namespaces/default/configmaps?watch=1"
                                    "&allowWatchBookmarks=true&timeoutSeconds=1"
                                    "&resourceVersion=" + rv) as resp:
            events = [json.loads(ln) for ln in resp.read().decode().splitlines()]
        types = [e["type"] for e in events]
        self.assertEqual(types[:3], ["MODIFIED", "MODIFIED", "DELETED"])
        self.assertIn("BOOKMARK", types)
        # a resourceVersion from the future (a restarted emulator): 504 ResourceVersionTooLarge
        code, body = self.req("GET", "/api/v1/namespaces/default/configmaps?watch=1"
                              "&resourceVersion=999999999")
        self.assertEqual(code, 504)
        self.assertEqual(json.loads(body)["details"]["causes"][0]["reason"],
                         "ResourceVersionTooLarge")
        # watch-list: initial ADDED events, then the initial-events-end bookmark
        self.req("POST", "/api/v1/namespaces/default/configmaps", {"metadata": {"name": "x"}})
        with urllib.request.urlopen(self.base + "/api/v1/namespaces/default/configmaps?watch=1"
                                    "&sendInitialEvents=true&allowWatchBookmarks=true"
                                    "&resourceVersionMatch=NotOlderThan&timeoutSeconds=1") as r:
            events = [json.loads(ln) for ln in r.read().decode().splitlines()]
        self.assertEqual(events[0]["type"], "ADDED")
        self.assertEqual(events[1]["type"], "BOOKMARK")
        self.assertEqual(events[1]["object"]["metadata"]["annotations"],
                         {"k8s.io/initial-events-end": "true"})

    def test_fault_injection(self):
        self.req("POST", "/emulator/faults", {"path": "/namespaces/default/secrets",
                                              "method": "GET", "code": 429, "count": 1,
                                              "retryAfter": 1})
        r = urllib.request.Request(self.base + "/api/v1/namespaces/default/secrets")
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(r)
        self.assertEqual(e.exception.code, 429)
        self.assertEqual(e.exception.headers["Retry-After"], "1")
        self.assertEqual(json.loads(e.exception.read())["reason"], "TooManyRequests")
        code, _ = self.req("GET", "/api/v1/namespaces/default/secrets")
        self.assertEqual(code, 200)
        self.req("DELETE", "/emulator/faults")

    def test_controller_ready_after(self):
        dep = deployment("slow", replicas=2, annotations={E.ANN_READY_AFTER: "0.5s"})
        code, _ = self.req("POST", "/apis/apps/v1/namespaces/default/deployments", dep)
        self.assertEqual(code, 201)
        time.sleep(0.25)
        st = json.loads(self.req("GET", "/apis/apps/v1/namespaces/default/deployments/slow")[1])
        self.assertEqual(st["status"].get("readyReplicas", 0), 0)
        for _ in range(40):
            time.sleep(0.1)
            st = json.loads(self.req("GET",
                                     "/apis/apps/v1/namespaces/default/deployments/slow")[1])
            if st["status"].get("readyReplicas") == 2:
                break
        self.assertEqual(st["status"]["readyReplicas"], 2)
        self.assertEqual(st["status"]["observedGeneration"], 1)
        rs = json.loads(self.req("GET", "/apis/apps/v1/namespaces/default/replicasets"
                                 "?labelSelector=app%3Dslow")[1])["items"]
        self.assertEqual(len(rs), 1)
        self.assertEqual(rs[0]["metadata"]["ownerReferences"][0]["uid"], st["metadata"]["uid"])
        self.assertEqual(rs[0]["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
                         "1")
        pods = json.loads(self.req("GET", "/api/v1/namespaces/default/pods"
                                   "?labelSelector=app%3Dslow")[1])["items"]
        self.assertEqual([p["status"]["phase"] for p in pods], ["Running", "Running"])
        conds = {c["type"]: c["reason"] for c in st["status"]["conditions"]}
        self.assertEqual(conds, {"Available": "MinimumReplicasAvailable",
                                 "Progressing": "NewReplicaSetAvailable"})


    def wait_for(self, path, pred, timeout=5.0):
        end = time.monotonic() + timeout
        while True:
            code, body = self.req("GET", path)
            obj = json.loads(body) if code == 200 else None
            if obj is not None and pred(obj):
                return obj
            if time.monotonic() > end:
                self.fail("%s: condition not met; last: %s" % (path, body[:2000]))
            time.sleep(0.05)

    def events_for(self, name):
        items = json.loads(self.req("GET", "/api/v1/namespaces/default/events")[1])["items"]
        return [(e["type"], e["reason"], e["message"], e.get("count"))
                for e in items if e["involvedObject"]["name"] == name]

    def test_crashloop_events_and_logs(self):
        dep = deployment("crash", annotations={E.ANN_BEHAVIOUR: "crashloop",
                                               E.ANN_RESTART_EVERY: "0.2s",
                                               E.ANN_LOG: "starting\npanic: no config"})
        self.assertEqual(self.req("POST", "/apis/apps/v1/namespaces/default/deployments",
                                  dep)[0], 201)
        pods = self.wait_for("/api/v1/namespaces/default/pods?labelSelector=app%3Dcrash",
                             lambda o: o["items"] and o["items"][0]["status"].get(
                                 "containerStatuses", [{}])[0].get("restartCount", 0) >= 2)
        pod = pods["items"][0]
        cs = pod["status"]["containerStatuses"][0]
        self.assertEqual(cs["state"]["waiting"]["reason"], "CrashLoopBackOff")
        self.assertFalse(cs["ready"])
        self.assertEqual(pod["status"]["phase"], "Running")
        ev = self.events_for(pod["metadata"]["name"])
        self.assertIn(("Normal", "Started", "Started container web", 1), ev)
        backoff = [e for e in ev if e[1] == "BackOff"]
        self.assertEqual(len(backoff), 1)
        self.assertGreaterEqual(backoff[0][3], 2)
        code, text = self.req("GET", "/api/v1/namespaces/default/pods/%s/log"
                              % pod["metadata"]["name"])
        self.assertEqual(code, 200)
        self.assertTrue(text.startswith("starting\npanic: no config\n"), text)
        st = self.wait_for("/apis/apps/v1/namespaces/default/deployments/crash",
                           lambda o: o.get("status", {}).get("updatedReplicas") == 1)["status"]
        self.assertEqual(st["availableReplicas"], 0)
        self.req("DELETE", "/apis/apps/v1/namespaces/default/deployments/crash")

    def test_image_pull_probe_deadline_job(self):
        for name, beh in (("pull", "image-pull-backoff"), ("probe", "probe-fail"),
                          ("late", "deadline")):
            self.req("POST", "/apis/apps/v1/namespaces/default/deployments",
                     deployment(name, annotations={E.ANN_BEHAVIOUR: beh,
                                                   E.ANN_RESTART_EVERY: "0.2s"}))
        pod = self.wait_for("/api/v1/namespaces/default/pods?labelSelector=app%3Dpull",
                            lambda o: o["items"] and o["items"][0].get("status", {}).get(
                                "containerStatuses"))["items"][0]
        self.assertEqual(pod["status"]["phase"], "Pending")
        self.assertEqual(pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
                         "ImagePullBackOff")
        self.assertIn(("Warning", "Failed", "Error: ErrImagePull", 1),
                      self.events_for(pod["metadata"]["name"]))
        code, body = self.req("GET", "/api/v1/namespaces/default/pods/%s/log"
                              % pod["metadata"]["name"])
        self.assertEqual(code, 400)
        self.assertIn("is waiting to start: ImagePullBackOff", body)
        pod = self.wait_for("/api/v1/namespaces/default/pods?labelSelector=app%3Dprobe",
                            lambda o: o["items"] and any(
                                e[1] == "Unhealthy" and e[3] >= 2 for e in
                                self.events_for(o["items"][0]["metadata"]["name"])))["items"][0]
        self.assertEqual(pod["status"]["phase"], "Running")
        self.assertEqual({c["type"]: c["status"] for c in pod["status"]["conditions"]}["Ready"],
                         "False")
        ev = [e for e in self.events_for(pod["metadata"]["name"]) if e[1] == "Unhealthy"][0]
        self.assertEqual(ev[:3], ("Warning", "Unhealthy",
                                  "Readiness probe failed: HTTP probe failed with statuscode: 503"))
        dep = self.wait_for("/apis/apps/v1/namespaces/default/deployments/late",
                            lambda o: any(c.get("reason") == "ProgressDeadlineExceeded"
                                          for c in o.get("status", {}).get("conditions", [])))
        prog = [c for c in dep["status"]["conditions"] if c["type"] == "Progressing"][0]
        self.assertEqual(prog["status"], "False")
        self.assertRegex(prog["message"], r'^ReplicaSet "late-\w+" has timed out progressing.$')
        job = {"apiVersion": "batch/v1", "kind": "Job",
               "metadata": {"name": "bad", "annotations": {E.ANN_BEHAVIOUR: "fail",
                                                           E.ANN_READY_AFTER: "0.2s"}},
               "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
                   {"name": "job", "image": "busybox"}]}}}}
        self.assertEqual(self.req("POST", "/apis/batch/v1/namespaces/default/jobs", job)[0], 201)
        job = self.wait_for("/apis/batch/v1/namespaces/default/jobs/bad",
                            lambda o: o.get("status", {}).get("failed") == 1)
        self.assertEqual([(c["type"], c["reason"]) for c in job["status"]["conditions"]],
                         [("FailureTarget", "BackoffLimitExceeded"),
                          ("Failed", "BackoffLimitExceeded")])
        pods = json.loads(self.req("GET", "/api/v1/namespaces/default/pods?labelSelector="
                                   "job-name%3Dbad")[1])["items"]
        self.assertEqual([p["status"]["phase"] for p in pods], ["Failed"])
        self.assertIn(("Warning", "BackoffLimitExceeded",
                       "Job has reached the specified backoff limit", 1), self.events_for("bad"))
        for name in ("pull", "probe", "late"):
            self.req("DELETE", "/apis/apps/v1/namespaces/default/deployments/" + name)

    def test_statefulset_daemonset_pods(self):
        sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
               "spec": {"replicas": 2, "serviceName": "db",
                        "selector": {"matchLabels": {"app": "db"}},
                        "template": {"metadata": {"labels": {"app": "db"}}, "spec": {
                            "containers": [{"name": "db", "image": "pg"}]}}}}
        ds = {"apiVersion": "apps/v1", "kind": "DaemonSet",
              "metadata": {"name": "agent", "annotations": {E.ANN_NODES: "3"}},
              "spec": {"selector": {"matchLabels": {"app": "agent"}},
                       "template": {"metadata": {"labels": {"app": "agent"}}, "spec": {
                           "containers": [{"name": "a", "image": "agent"}]}}}}
        self.req("POST", "/apis/apps/v1/namespaces/default/statefulsets", sts)
        self.req("POST", "/apis/apps/v1/namespaces/default/daemonsets", ds)
        self.wait_for("/apis/apps/v1/namespaces/default/statefulsets/db",
                      lambda o: o.get("status", {}).get("readyReplicas") == 2)
        self.wait_for("/apis/apps/v1/namespaces/default/daemonsets/agent",
                      lambda o: o.get("status", {}).get("numberAvailable") == 3)
        pods = json.loads(self.req("GET", "/api/v1/namespaces/default/pods?labelSelector="
                                   "app%3Ddb")[1])["items"]
        self.assertEqual([p["metadata"]["name"] for p in pods], ["db-0", "db-1"])
        self.assertEqual({p["metadata"]["ownerReferences"][0]["kind"] for p in pods},
                         {"StatefulSet"})
        pods = json.loads(self.req("GET", "/api/v1/namespaces/default/pods?labelSelector="
                                   "app%3Dagent")[1])["items"]
        self.assertEqual(len(pods), 3)
        self.assertTrue(all(p["status"]["phase"] == "Running" for p in pods))

    def test_follow_logs(self):
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": "talker", "annotations": {E.ANN_BEHAVIOUR: "ready",
                                                              E.ANN_LOG: "one"}},
               "spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}}
        self.assertEqual(self.req("POST", "/api/v1/namespaces/default/pods", pod)[0], 201)
        self.wait_for("/api/v1/namespaces/default/pods/talker",
                      lambda o: o.get("status", {}).get("phase") == "Running")
        code, body = self.req("GET", "/api/v1/namespaces/default/pods/talker/log")
        self.assertEqual(code, 400)
        self.assertIn("a container name must be specified for pod talker, choose one of: [a b]",
                      body)
        got = []

        def follow():
            with urllib.request.urlopen(self.base + "/api/v1/namespaces/default/pods/talker/"
                                        "log?container=b&follow=true") as resp:
                for ln in resp:
                    got.append((time.monotonic(), ln.decode()))
        th = threading.Thread(target=follow)
        th.start()
        time.sleep(0.3)
        t = time.monotonic()
        self.req("PATCH", "/api/v1/namespaces/default/pods/talker",
                 {"metadata": {"annotations": {E.ANN_LOG + "-b": "one\ntwo"}}},
                 "application/merge-patch+json")
        time.sleep(0.3)
        self.req("DELETE", "/api/v1/namespaces/default/pods/talker")
        th.join(5)
        self.assertFalse(th.is_alive())
        self.assertEqual([ln for _, ln in got], ["one\n", "two\n"])
        self.assertLess(got[1][0] - t, 0.5)


    def test_table(self):
        self.req("POST", "/api/v1/namespaces/default/configmaps",
                 {"metadata": {"name": "tbl"}, "data": {"a": "1", "b": "2"}})
        r = urllib.request.Request(self.base + "/api/v1/namespaces/default/configmaps",
                                   headers={"Accept": "application/json;as=Table;v=v1;"
                                                      "g=meta.k8s.io,application/json"})
        with urllib.request.urlopen(r) as resp:
            t = json.loads(resp.read())
        self.assertEqual(t["kind"], "Table")
        self.assertEqual([c["name"] for c in t["columnDefinitions"]], ["Name", "Data", "Age"])
        row = [x for x in t["rows"] if x["cells"][0] == "tbl"][0]
        self.assertEqual(row["cells"][1], 2)
        self.assertEqual(row["object"]["kind"], "PartialObjectMetadata")
        self.assertNotIn("data", row["object"])
        self.req("DELETE", "/api/v1/namespaces/default/configmaps/tbl")


if __name__ == "__main__":
    unittest.main()
