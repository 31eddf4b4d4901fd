#!/usr/bin/env python3
"""Test-only Kubernetes API emulator (Python 3 standard library only).

Serves enough of the Kubernetes API for the real kubectl and helm: version and legacy
discovery, /openapi/v3 (index + minimal per-group-version documents), CRUD for namespaced
and cluster objects, all four PATCH types (server-side apply with managedFields and
conflicts), watch (bookmarks, resourceVersion resume, 410, watch-list), Status errors,
namespace and ownerReference garbage collection, CRDs, and a small controller that makes
workloads ready.  See README.md next to this file.

    emulator.py --port 0 [--host 127.0.0.1] [--port-file F] [--tls-cert C --tls-key K]
                [--token T] [--parent-pid PID] [--log FILE]
"""

import argparse
import base64
import bisect
import copy
import datetime
import hashlib
import json
import os
import re
import select
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KUBE_VERSION = {"major": "1", "minor": "33", "gitVersion": "v1.33.0",
                "gitCommit": "0000000000000000000000000000000000000000",
                "gitTreeState": "clean", "buildDate": "2025-04-23T00:00:00Z",
                "goVersion": "go1.24.2", "compiler": "gc", "platform": "linux/amd64",
                "emulation": "dk-kube-emulator"}

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

# (group, version, plural, singular, kind, namespaced, shortNames, subresources)
BUILTIN = [
    ("", "v1", "namespaces", "namespace", "Namespace", False, ["ns"], ["status"]),
    ("", "v1", "configmaps", "configmap", "ConfigMap", True, ["cm"], []),
    ("", "v1", "secrets", "secret", "Secret", True, [], []),
    ("", "v1", "services", "service", "Service", True, ["svc"], ["status"]),
    ("", "v1", "pods", "pod", "Pod", True, ["po"], ["status", "log"]),
    ("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", True, ["sa"], []),
    ("", "v1", "events", "event", "Event", True, ["ev"], []),
    ("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", True,
     ["pvc"], ["status"]),
    ("", "v1", "endpoints", "endpoints", "Endpoints", True, ["ep"], []),
    ("apps", "v1", "deployments", "deployment", "Deployment", True, ["deploy"], ["status", "scale"]),
    ("apps", "v1", "statefulsets", "statefulset", "StatefulSet", True, ["sts"], ["status", "scale"]),
    ("apps", "v1", "daemonsets", "daemonset", "DaemonSet", True, ["ds"], ["status"]),
    ("apps", "v1", "replicasets", "replicaset", "ReplicaSet", True, ["rs"], ["status", "scale"]),
    ("batch", "v1", "jobs", "job", "Job", True, [], ["status"]),
    ("batch", "v1", "cronjobs", "cronjob", "CronJob", True, ["cj"], ["status"]),
    ("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
     "CustomResourceDefinition", False, ["crd", "crds"], ["status"]),
    ("coordination.k8s.io", "v1", "leases", "lease", "Lease", True, [], []),
    ("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", True, [], []),
    ("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", True, [], []),
    ("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", False, [], []),
    ("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding",
     "ClusterRoleBinding", False, [], []),
    ("networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", True, ["ing"], ["status"]),
    ("networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", True,
     ["netpol"], []),
    ("networking.k8s.io", "v1", "ingressclasses", "ingressclass", "IngressClass", False, [], []),
    ("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", True,
     ["pdb"], ["status"]),
    ("autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler",
     "HorizontalPodAutoscaler", True, ["hpa"], ["status"]),
]

# strategic-merge-patch / server-side-apply list merge keys (a practical subset)
MERGE_KEYS = {"containers": "name", "initContainers": "name", "ephemeralContainers": "name",
              "env": "name", "volumes": "name", "volumeMounts": "mountPath",
              "imagePullSecrets": "name", "conditions": "type", "hostAliases": "ip",
              "tolerations": None, "envFrom": None}

SYSTEM_META = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
               "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink")

EVENT_HISTORY = 20000  # watch events kept for resourceVersion resume; older ones answer 410


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def log(msg):
    if Emulator.log_file:
        Emulator.log_file.write("%s %s\n" % (now_rfc3339(), msg))
        Emulator.log_file.flush()


class ApiError(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def status(self):
        st = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": self.message, "reason": self.reason, "code": self.code}
        if self.details is not None:
            st["details"] = self.details
        return st


class InjectedFault(Exception):
    def __init__(self, err, extra):
        super().__init__(err.message)
        self.err, self.extra = err, extra


class Resource:
    def __init__(self, group, version, plural, singular, kind, namespaced, short, subs):
        self.group, self.version, self.plural, self.singular = group, version, plural, singular
        self.kind, self.namespaced, self.short, self.subs = kind, namespaced, short, subs

    @property
    def gv(self):
        return "%s/%s" % (self.group, self.version) if self.group else self.version

    @property
    def qualified(self):  # "deployments.apps" / "configmaps" as in error messages
        return "%s.%s" % (self.plural, self.group) if self.group else self.plural

    def details(self, name):
        d = {"name": name, "kind": self.plural}
        if self.group:
            d["group"] = self.group
        return d

    def not_found(self, name):
        return ApiError(404, "NotFound", '%s "%s" not found' % (self.qualified, name),
                        self.details(name))

    def conflict(self, name):
        return ApiError(409, "Conflict",
                        'Operation cannot be fulfilled on %s "%s": the object has been modified; '
                        'please apply your changes to the latest version and try again'
                        % (self.qualified, name), self.details(name))


# ----------------------------------------------------------------------------- patch helpers

def merge_key_for(field, items):
    if field == "ports":
        for it in items:
            if isinstance(it, dict):
                return "containerPort" if "containerPort" in it else "port"
        return None
    return MERGE_KEYS.get(field)


def json_merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    out = dict(target)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = json_merge_patch(out.get(k), v)
    return out


def strategic_merge_patch(target, patch, field=None):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    if not isinstance(target, dict):
        target = {}
    out = dict(target)
    for k, v in patch.items():
        if k.startswith("$setElementOrder/") or k in ("$retainKeys", "$patch"):
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            name = k.split("/", 1)[1]
            if isinstance(out.get(name), list):
                out[name] = [x for x in out[name] if x not in v]
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            r = strategic_merge_patch(out.get(k), v, k)
            if r is None:
                out.pop(k, None)
            else:
                out[k] = r
        elif isinstance(v, list):
            out[k] = merge_list(out.get(k), v, k)
        else:
            out[k] = v
    retain = patch.get("$retainKeys")
    if isinstance(retain, list):
        out = {k: v for k, v in out.items() if k in retain}
    return out


def merge_list(cur, patch, field):
    key = merge_key_for(field, patch + (cur if isinstance(cur, list) else []))
    if not key or not isinstance(cur, list) or not all(isinstance(x, dict) for x in patch):
        return [x for x in copy.deepcopy(patch)
                if not (isinstance(x, dict) and x.get("$patch") == "delete")]
    if any(isinstance(x, dict) and x.get("$patch") == "replace" for x in patch):
        return [x for x in copy.deepcopy(patch) if not (isinstance(x, dict) and "$patch" in x)]
    out = list(cur)
    for item in patch:
        idx = next((i for i, c in enumerate(out)
                    if isinstance(c, dict) and c.get(key) == item.get(key)), None)
        if item.get("$patch") == "delete":
            if idx is not None:
                out.pop(idx)
        elif idx is None:
            out.append(copy.deepcopy(item))
        else:
            out[idx] = strategic_merge_patch(out[idx], item, field)
    return out


def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise ApiError(422, "Invalid", "invalid JSON pointer %r" % path)
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def json_patch(doc, ops):
    doc = copy.deepcopy(doc)
    if not isinstance(ops, list):
        raise ApiError(400, "BadRequest", "json patch must be a list of operations")

    def parent(path):
        parts = _pointer(path)
        if not parts:
            raise ApiError(422, "Invalid", "cannot patch the document root")
        cur = doc
        for p in parts[:-1]:
            try:
                cur = cur[int(p)] if isinstance(cur, list) else cur[p]
            except (KeyError, IndexError, ValueError, TypeError):
                raise ApiError(422, "Invalid", "doc is missing path: %s" % path)
        return cur, parts[-1]

    def get(path):
        c, k = parent(path)
        try:
            return c[int(k)] if isinstance(c, list) else c[k]
        except (KeyError, IndexError, ValueError, TypeError):
            raise ApiError(422, "Invalid", "doc is missing path: %s" % path)

    def remove(path):
        c, k = parent(path)
        try:
            return c.pop(int(k)) if isinstance(c, list) else c.pop(k)
        except (KeyError, IndexError, ValueError, TypeError):
            raise ApiError(422, "Invalid", "doc is missing path: %s" % path)

    def add(path, value):
        c, k = parent(path)
        if isinstance(c, list):
            if k == "-":
                c.append(value)
            else:
                c.insert(int(k), value)
        elif isinstance(c, dict):
            c[k] = value
        else:
            raise ApiError(422, "Invalid", "doc is missing path: %s" % path)

    for op in ops:
        o, path = op.get("op"), op.get("path", "")
        if o == "add":
            add(path, copy.deepcopy(op.get("value")))
        elif o == "remove":
            remove(path)
        elif o == "replace":
            remove(path)
            add(path, copy.deepcopy(op.get("value")))
        elif o == "move":
            add(path, remove(op.get("from", "")))
        elif o == "copy":
            add(path, copy.deepcopy(get(op.get("from", ""))))
        elif o == "test":
            if get(path) != op.get("value"):
                raise ApiError(422, "Invalid", "testing value %s failed" % path)
        else:
            raise ApiError(422, "Invalid", "unexpected kind of operation %r" % o)
    return doc


# ----------------------------------------------------------------------------- server-side apply
# Field sets are sets of paths; a path is a tuple of elements "f:<name>" or
# "k:<json of the merge key>" (list items keyed by MERGE_KEYS); other lists are atomic leaves.

def field_paths(obj, prefix=(), top=True):
    out = set()
    if isinstance(obj, dict):
        for k, v in obj.items():
            if top and k in ("apiVersion", "kind", "status"):
                continue
            if prefix == ("f:metadata",) and k in SYSTEM_META + ("name", "namespace"):
                continue
            p = prefix + ("f:" + k,)
            if isinstance(v, dict) and v:
                out |= field_paths(v, p, False)
            elif isinstance(v, list) and v and merge_key_for(k, v) and \
                    all(isinstance(x, dict) and merge_key_for(k, v) in x for x in v):
                key = merge_key_for(k, v)
                for item in v:
                    ip = p + ("k:" + json.dumps({key: item[key]}, separators=(",", ":")),)
                    out.add(ip)
                    out |= field_paths(item, ip, False)
            else:
                out.add(p)
    return out


def value_at(obj, path):
    cur = obj
    for el in path:
        if el.startswith("f:"):
            if not isinstance(cur, dict) or el[2:] not in cur:
                return KeyError
            cur = cur[el[2:]]
        else:
            kv = json.loads(el[2:])
            if not isinstance(cur, list):
                return KeyError
            match = [x for x in cur if isinstance(x, dict) and
                     all(x.get(k) == v for k, v in kv.items())]
            if not match:
                return KeyError
            cur = match[0]
    return cur


def remove_path(obj, path):
    cur = obj
    for el in path[:-1]:
        cur = value_at(cur, (el,))
        if cur is KeyError:
            return
    last = path[-1]
    if last.startswith("f:") and isinstance(cur, dict):
        cur.pop(last[2:], None)
    elif last.startswith("k:") and isinstance(cur, list):
        kv = json.loads(last[2:])
        cur[:] = [x for x in cur if not (isinstance(x, dict) and
                                         all(x.get(k) == v for k, v in kv.items()))]


def fields_v1(paths):
    root = {}
    for p in sorted(paths):
        cur = root
        for el in p:
            cur = cur.setdefault(el, {})
        if p and p[-1].startswith("k:"):
            cur.setdefault(".", {})
    return root


def paths_from_fields_v1(fv, prefix=()):
    out = set()
    for k, v in (fv or {}).items():
        if k == ".":
            continue
        p = prefix + (k,)
        if v:
            out |= paths_from_fields_v1(v, p)
            if k.startswith("k:"):
                out.add(p)
        else:
            out.add(p)
    return out


def prune_empty(obj, template):
    """Drop maps emptied by field removal (not maps that were empty in the applied config)."""
    if isinstance(obj, list):
        tl = template if isinstance(template, list) else []
        for i, item in enumerate(obj):
            t = next((x for x in tl if isinstance(x, dict) and isinstance(item, dict) and
                      "name" in item and x.get("name") == item["name"]),
                     tl[i] if i < len(tl) else None)
            prune_empty(item, t)
    if isinstance(obj, dict):
        for k in list(obj):
            v = obj[k]
            if isinstance(v, (dict, list)):
                prune_empty(v, template.get(k) if isinstance(template, dict) else None)
                if not v and not (isinstance(template, dict) and k in template):
                    del obj[k]


# ----------------------------------------------------------------------------- selectors

def _split_top(s):
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def label_matcher(sel):
    if not sel:
        return lambda labels: True
    reqs = []
    for part in _split_top(sel):
        m = re.match(r"^(\S+)\s+(in|notin)\s*\((.*)\)$", part)
        if m:
            vals = {v.strip() for v in m.group(3).split(",")}
            reqs.append((m.group(1), m.group(2), vals))
        elif "!=" in part:
            k, v = part.split("!=", 1)
            reqs.append((k.strip(), "!=", v.strip()))
        elif "==" in part:
            k, v = part.split("==", 1)
            reqs.append((k.strip(), "=", v.strip()))
        elif "=" in part:
            k, v = part.split("=", 1)
            reqs.append((k.strip(), "=", v.strip()))
        elif part.startswith("!"):
            reqs.append((part[1:].strip(), "!", None))
        else:
            reqs.append((part, "exists", None))

    def match(labels):
        labels = labels or {}
        for k, op, v in reqs:
            if op == "=" and labels.get(k) != v:
                return False
            if op == "!=" and labels.get(k) == v:
                return False
            if op == "in" and labels.get(k) not in v:
                return False
            if op == "notin" and k in labels and labels[k] in v:
                return False
            if op == "exists" and k not in labels:
                return False
            if op == "!" and k in labels:
                return False
        return True
    return match


def field_matcher(sel):
    if not sel:
        return lambda obj: True
    reqs = []
    for part in _split_top(sel):
        for op in ("!=", "==", "="):
            if op in part:
                k, v = part.split(op, 1)
                reqs.append((k.strip(), op != "!=", v.strip()))
                break
        else:
            raise ApiError(400, "BadRequest", "invalid field selector %r" % part)

    def get(obj, path):
        cur = obj
        for p in path.split("."):
            if not isinstance(cur, dict):
                return ""
            cur = cur.get(p)
        return "" if cur is None else str(cur)

    return lambda obj: all((get(obj, k) == v) == eq for k, eq, v in
                           [(k, eq, v) for k, eq, v in reqs])


def parse_duration(s):
    m = re.fullmatch(r"\s*([0-9.]+)\s*(ms|s|m|h)?\s*", str(s or ""))
    if not m:
        return 0.0
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]


# ----------------------------------------------------------------------------- store

class Emulator:
    log_file = None

    def __init__(self, start_rv=1):
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)  # any change
        self.conds = {}  # (group, plural) -> Condition: a change of that resource
        self.rv = start_rv
        self.resources = {}      # (group, plural) -> Resource
        self.objects = {}        # (group, plural) -> {(ns, name): obj}
        self.managed = {}        # (group, plural, ns, name) -> {manager: (operation, apiVersion, set)}
        self.events = []         # (rv, group, plural, type, obj, prev)
        self.event_rvs = []
        self.oldest_rv = start_rv  # watches from below this answer 410
        self.ip_counter = 10
        self.faults = []         # test hook: injected errors (see Handler.inject_fault)
        self.log_repeats = {}    # (pod uid, container) -> restarts whose log was written again
        self.status_times = {}   # (group, plural, ns, name) -> time.time() of the last status
        for b in BUILTIN:
            self.add_resource(Resource(*b))
        for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self.create(self.resources[("", "namespaces")], None,
                        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}, {})

    def add_resource(self, r):
        self.resources[(r.group, r.plural)] = r
        self.objects.setdefault((r.group, r.plural), {})

    def find(self, group, version, plural):
        r = self.resources.get((group, plural))
        if r is None or r.version != version:
            return None
        return r

    def group_versions(self):
        gvs = {}
        for r in self.resources.values():
            gvs.setdefault(r.group, [])
            if r.version not in gvs[r.group]:
                gvs[r.group].append(r.version)
        return gvs

    def next_rv(self):
        self.rv += 1
        return self.rv

    def record(self, r, etype, obj, prev=None):
        rv = int(obj["metadata"]["resourceVersion"])
        self.events.append((rv, r.group, r.plural, etype, copy.deepcopy(obj),
                            copy.deepcopy(prev) if prev else None))
        self.event_rvs.append(rv)
        if len(self.events) > EVENT_HISTORY:
            drop = len(self.events) - EVENT_HISTORY
            self.oldest_rv = self.events[drop - 1][0] + 1
            del self.events[:drop]
            del self.event_rvs[:drop]
        self.cond.notify_all()
        c = self.conds.get((r.group, r.plural))
        if c is not None:
            c.notify_all()

    def cond_for(self, group, plural):
        """The condition notified when objects of (group, plural) change (watchers of one
        resource are not woken by every other change)."""
        c = self.conds.get((group, plural))
        if c is None:
            c = self.conds[(group, plural)] = threading.Condition(self.lock)
        return c

    def compact(self):
        """Forget all watch history (tests: force 410 Expired on resume)."""
        with self.lock:
            self.events, self.event_rvs = [], []
            self.oldest_rv = self.rv + 1

    # -- helpers
    def get(self, r, ns, name):
        obj = self.objects[(r.group, r.plural)].get((ns or "", name))
        if obj is None:
            raise r.not_found(name)
        return obj

    def check_namespace(self, r, ns, creating=True, name=""):
        if r.namespaced and (ns or "") not in {k[1] for k in
                                                self.objects[("", "namespaces")]}:
            raise ApiError(404, "NotFound", 'namespaces "%s" not found' % ns,
                           {"name": ns, "kind": "namespaces"})
        if r.namespaced and creating:
            nso = self.objects[("", "namespaces")][("", ns)]
            if nso["metadata"].get("deletionTimestamp"):
                raise ApiError(403, "Forbidden",
                               '%s "%s" is forbidden: unable to create new content in namespace '
                               '%s because it is being terminated' % (r.qualified, name, ns),
                               {"name": name, "kind": r.plural})

    def _defaults(self, r, obj):
        obj.setdefault("apiVersion", r.gv)
        obj.setdefault("kind", r.kind)
        if r.kind == "Secret":
            sd = obj.pop("stringData", None)
            if sd:
                data = obj.setdefault("data", {})
                for k, v in sd.items():
                    data[k] = base64.b64encode(str(v).encode()).decode()
            obj.setdefault("type", "Opaque")
        if r.kind == "Namespace":
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
            obj.setdefault("status", {"phase": "Active"})
            obj["metadata"].setdefault("labels", {})[
                "kubernetes.io/metadata.name"] = obj["metadata"]["name"]
        if r.kind == "Service":
            spec = obj.setdefault("spec", {})
            if spec.get("type", "ClusterIP") != "ExternalName" and not spec.get("clusterIP"):
                self.ip_counter += 1
                ip = "10.96.%d.%d" % (self.ip_counter // 250, self.ip_counter % 250 + 1)
                spec["clusterIP"] = ip
                spec["clusterIPs"] = [ip]
            spec.setdefault("type", "ClusterIP")
            spec.setdefault("sessionAffinity", "None")
            for p in spec.get("ports") or []:
                p.setdefault("protocol", "TCP")
                p.setdefault("targetPort", p.get("port"))
            obj.setdefault("status", {"loadBalancer": {}})
        if r.kind in ("Deployment", "StatefulSet", "ReplicaSet"):
            obj.setdefault("spec", {}).setdefault("replicas", 1)
        if r.kind == "Pod":
            obj.setdefault("status", {"phase": "Pending"})
        if r.kind == "CustomResourceDefinition":
            self._crd_status(obj)

    def _crd_status(self, obj):
        names = obj.get("spec", {}).get("names", {})
        t = now_rfc3339()
        obj["status"] = {
            "acceptedNames": names,
            "storedVersions": [v["name"] for v in obj.get("spec", {}).get("versions", [])
                               if v.get("storage")],
            "conditions": [
                {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
                 "message": "no conflicts found", "lastTransitionTime": t},
                {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                 "message": "the initial names have been accepted", "lastTransitionTime": t}]}

    def _register_crd(self, obj):
        spec = obj.get("spec", {})
        names = spec.get("names", {})
        for v in spec.get("versions", []):
            if v.get("served", True):
                subs = ["status"] if (v.get("subresources") or {}).get("status") is not None else []
                self.add_resource(Resource(spec.get("group", ""), v["name"], names.get("plural"),
                                           names.get("singular") or names.get("kind", "").lower(),
                                           names.get("kind"), spec.get("scope") != "Cluster",
                                           names.get("shortNames") or [], subs))
                break

    def _spec_of(self, obj):
        return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion",
                                                          "kind")}

    # -- managed fields
    def _set_managed(self, r, obj, manager, operation, paths, take=None):
        """Record `paths` as owned by manager; `take` (default: paths) leaves other managers."""
        take = paths if take is None else take
        key = (r.group, r.plural, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        mf = self.managed.setdefault(key, {})
        if manager:
            for m, (op, av, ps) in list(mf.items()):
                if m == manager and op == operation:
                    continue
                ps -= take
                if not ps:
                    del mf[m]
            if operation == "Update" and (manager, "Update") in [(m, o) for m, (o, _, _) in
                                                                  mf.items()]:
                paths = paths | mf[manager][2]
            mf[manager] = (operation, obj.get("apiVersion", r.gv), set(paths))
        obj["metadata"]["managedFields"] = [
            {"manager": m, "operation": op, "apiVersion": av, "time": now_rfc3339(),
             "fieldsType": "FieldsV1", "fieldsV1": fields_v1(ps)}
            for m, (op, av, ps) in mf.items()]

    def _changed_paths(self, old, new):
        newp = field_paths(new)
        if old is None:
            return newp
        return {p for p in newp if value_at(old, p) != value_at(new, p)}

    # -- verbs
    def create(self, r, ns, body, q):
        with self.lock:
            if not isinstance(body, dict):
                raise ApiError(400, "BadRequest", "the body of the request was not an object")
            obj = copy.deepcopy(body)
            meta = obj.setdefault("metadata", {})
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
            name = meta.get("name")
            if not name:
                raise ApiError(422, "Invalid", "%s \"\" is invalid: metadata.name: Required value: "
                               "name or generateName is required" % r.kind,
                               {"kind": r.kind, "causes": [{"reason": "FieldValueRequired",
                                                            "message": "Required value",
                                                            "field": "metadata.name"}]})
            if r.namespaced:
                ns = ns or meta.get("namespace") or "default"
                if meta.get("namespace") and meta["namespace"] != ns:
                    raise ApiError(400, "BadRequest", "the namespace of the provided object does "
                                   "not match the namespace sent on the request")
                self.check_namespace(r, ns, name=name)
                meta["namespace"] = ns
            else:
                meta.pop("namespace", None)
                ns = ""
            store = self.objects[(r.group, r.plural)]
            if (ns, name) in store:
                raise ApiError(409, "AlreadyExists", '%s "%s" already exists' % (r.qualified, name),
                               r.details(name))
            for k in SYSTEM_META:
                meta.pop(k, None)
            self._defaults(r, obj)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now_rfc3339()
            if "spec" in obj and r.kind not in ("Namespace", "Service"):
                meta["generation"] = 1
            if q.get("dryRun"):
                meta["resourceVersion"] = str(self.rv)
                return obj
            manager = q.get("fieldManager") or q.get("_ua_manager")
            self._set_managed(r, obj, manager, q.get("_operation", "Update"),
                              q.get("_apply_paths") or field_paths(obj))
            meta["resourceVersion"] = str(self.next_rv())
            store[(ns, name)] = obj
            if r.kind == "CustomResourceDefinition":
                self._register_crd(obj)
            self.record(r, "ADDED", obj)
            log("create %s %s/%s rv=%s" % (r.qualified, ns, name, meta["resourceVersion"]))
            return copy.deepcopy(obj)

    def update(self, r, ns, name, body, q, sub=None, check_rv=True):
        with self.lock:
            if not isinstance(body, dict):
                raise ApiError(400, "BadRequest", "the body of the request was not an object")
            old = self.get(r, ns, name)
            obj = copy.deepcopy(body)
            meta = obj.setdefault("metadata", {})
            if meta.get("name", name) != name:
                raise ApiError(400, "BadRequest", "the name of the object (%s) does not match the "
                               "name on the URL (%s)" % (meta.get("name"), name))
            if check_rv and meta.get("resourceVersion") and \
                    meta["resourceVersion"] != old["metadata"]["resourceVersion"]:
                raise r.conflict(name)
            if sub == "status":
                new = copy.deepcopy(old)
                new["status"] = obj.get("status")
                if new["status"] is None:
                    del new["status"]
                obj = new
                meta = obj["metadata"]
            else:
                if "status" in r.subs and "status" in old:
                    obj["status"] = copy.deepcopy(old["status"])
                for k in ("uid", "creationTimestamp", "generation", "deletionTimestamp",
                          "namespace"):
                    if k in old["metadata"]:
                        meta[k] = old["metadata"][k]
                    else:
                        meta.pop(k, None)
                meta["name"] = name
                self._defaults(r, obj)
                self._immutable(r, old, obj)
            if "generation" in meta and self._spec_of(obj) != self._spec_of(old):
                meta["generation"] = old["metadata"].get("generation", 0) + 1
            if q.get("dryRun"):
                return obj
            manager = q.get("fieldManager") or q.get("_ua_manager")
            paths = q.get("_apply_paths")
            if paths is None:
                paths = self._changed_paths(old, obj)
            self.managed.setdefault((r.group, r.plural, ns or "", name), {})
            sent = (body.get("metadata") or {}).get("managedFields")
            if sub is None and sent and sent != old["metadata"].get("managedFields"):
                # the client rewrites managedFields (kubectl's client-side -> server-side apply
                # upgrade; `[{}]` clears them): take them as given
                self.managed[(r.group, r.plural, ns or "", name)] = {
                    m["manager"]: (m.get("operation", "Update"), m.get("apiVersion", r.gv),
                                   paths_from_fields_v1(m.get("fieldsV1")))
                    for m in sent if isinstance(m, dict) and m.get("manager")}
                paths, manager = set(), None
            take = None
            if q.get("_operation") == "Apply":  # equal values are shared, changed ones taken
                take = {p for p in paths if value_at(old, p) != value_at(obj, p)}
            self._set_managed(r, obj, manager if (paths or q.get("_operation") == "Apply") else
                              None, q.get("_operation", "Update"), paths, take)
            def untimed(o):  # the object with managedFields' times left out
                o = dict(o, metadata=dict(o["metadata"]))
                o["metadata"]["managedFields"] = [
                    {k: v for k, v in m.items() if k != "time"}
                    for m in o["metadata"].get("managedFields") or []]
                o["metadata"].pop("resourceVersion", None)
                return o

            if untimed(obj) == untimed(old) and \
                    meta.get("resourceVersion", old["metadata"]["resourceVersion"]) == \
                    old["metadata"]["resourceVersion"]:
                # no-op update: keep the resourceVersion, send no event
                meta["resourceVersion"] = old["metadata"]["resourceVersion"]
                self.objects[(r.group, r.plural)][(ns or "", name)] = obj
                return copy.deepcopy(obj)
            meta["resourceVersion"] = str(self.next_rv())
            self.objects[(r.group, r.plural)][(ns or "", name)] = obj
            if r.kind == "CustomResourceDefinition":
                self._register_crd(obj)
            self.record(r, "MODIFIED", obj, old)
            if meta.get("deletionTimestamp") and not meta.get("finalizers"):
                self._remove(r, ns, name)
            return copy.deepcopy(obj)

    def _immutable(self, r, old, new):
        fields = {"Deployment": ["selector"], "StatefulSet": ["selector"],
                  "DaemonSet": ["selector"], "ReplicaSet": ["selector"],
                  "Job": ["selector", "template"], "Service": ["clusterIP"]}.get(r.kind, [])
        for f in fields:
            o, n = old.get("spec", {}).get(f), new.get("spec", {}).get(f)
            if r.kind == "Job" and f == "template":
                o, n = strip_job_labels(o), strip_job_labels(n)
            if o is not None and o != n:
                raise ApiError(422, "Invalid", '%s.%s "%s" is invalid: spec.%s: Invalid value: '
                               '%s: field is immutable' % (r.kind, r.group or "core",
                                                          new["metadata"]["name"], f,
                                                          json.dumps(n)),
                               {"name": new["metadata"]["name"], "group": r.group,
                                "kind": r.kind, "causes": [{"reason": "FieldValueInvalid",
                                                            "message": "Invalid value: field is "
                                                            "immutable", "field": "spec." + f}]})

    def patch(self, r, ns, name, ctype, raw, q, sub=None):
        with self.lock:
            ctype = (ctype or "").split(";")[0].strip()
            if ctype == "application/apply-patch+yaml":
                return self.apply(r, ns, name, raw, q, sub)
            try:
                patch = json.loads(raw or b"null")
            except ValueError as e:
                raise ApiError(400, "BadRequest", "error decoding patch: %s" % e)
            old = self.get(r, ns, name)
            if ctype == "application/json-patch+json":
                new = json_patch(old, patch)
            elif ctype == "application/merge-patch+json":
                new = json_merge_patch(old, patch)
            elif ctype == "application/strategic-merge-patch+json":
                if (r.group, r.plural) not in {(b[0], b[2]) for b in BUILTIN}:
                    raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an"
                                   " unknown format - accepted media types include: "
                                   "application/json-patch+json, application/merge-patch+json, "
                                   "application/apply-patch+yaml")
                new = strategic_merge_patch(old, patch)
            else:
                raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an "
                               "unknown format - accepted media types include: "
                               "application/json-patch+json, application/merge-patch+json, "
                               "application/apply-patch+yaml, "
                               "application/strategic-merge-patch+json")
            if sub != "status" and "status" in r.subs:
                new["status"] = copy.deepcopy(old.get("status"))
                if new["status"] is None:
                    new.pop("status")
            rv = (patch.get("metadata") or {}).get("resourceVersion") \
                if isinstance(patch, dict) else None
            if rv and rv != old["metadata"]["resourceVersion"]:
                raise r.conflict(name)
            new.setdefault("metadata", {})["resourceVersion"] = old["metadata"]["resourceVersion"]
            return self.update(r, ns, name, new, q, sub=sub, check_rv=False)

    def apply(self, r, ns, name, raw, q, sub=None):
        manager = q.get("fieldManager")
        if not manager:
            raise ApiError(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: "
                           "fieldManager: Required value: is required for apply patch",
                           {"kind": "PatchOptions", "group": "meta.k8s.io",
                            "causes": [{"reason": "FieldValueRequired",
                                        "message": "Required value: is required for apply patch",
                                        "field": "fieldManager"}]})
        cfg = parse_yaml_or_json(raw)
        if not isinstance(cfg, dict):
            raise ApiError(400, "BadRequest", "apply patch must be an object")
        force = q.get("force") in ("true", "1")
        cfg_meta = cfg.setdefault("metadata", {})
        cfg_meta.setdefault("name", name)
        if r.namespaced:
            cfg_meta.setdefault("namespace", ns)
        new_paths = field_paths(cfg)
        q = dict(q, _operation="Apply", _apply_paths=new_paths)
        key = (r.group, r.plural, ns or "", name)
        with self.lock:
            store = self.objects[(r.group, r.plural)]
            if (ns or "", name) not in store:
                if sub:
                    raise r.not_found(name)
                return self.create(r, ns, cfg, q)
            old = store[(ns or "", name)]
            mf = self.managed.get(key, {})
            conflicts = []
            for m, (op, _av, ps) in mf.items():
                if m == manager and op == "Apply":
                    continue
                for p in sorted(ps & new_paths):
                    if p[-1].startswith("k:"):
                        continue  # a list item's identity; its fields are compared one by one
                    if value_at(old, p) != value_at(cfg, p):
                        conflicts.append((m, p))
            if conflicts and not force:
                managers = sorted({m for m, _ in conflicts})
                causes = [{"reason": "FieldManagerConflict",
                           "message": 'conflict with "%s"' % m +
                           (' using %s' % mf[m][1]),
                           "field": path_str(p)} for m, p in conflicts]
                if len(conflicts) == 1:
                    m, p = conflicts[0]
                    msg = 'Apply failed with 1 conflict: conflict with "%s" using %s: %s' % (
                        m, mf[m][1], path_str(p))
                else:
                    msg = "Apply failed with %d conflicts: " % len(conflicts) + "\n".join(
                        'conflicts with "%s" using %s:\n%s' % (
                            m, mf[m][1], "\n".join("- " + path_str(p)
                                                  for mm, p in conflicts if mm == m))
                        for m in managers)
                raise ApiError(409, "Conflict", msg, {"name": name, "group": r.group,
                                                      "kind": r.plural, "causes": causes})
            new = copy.deepcopy(old)
            # fields this manager applied before and no longer applies (and nobody else owns)
            prev = mf.get(manager, (None, None, set()))
            prev = prev[2] if prev[0] == "Apply" else set()
            others = set()
            for m, (op, _av, ps) in mf.items():
                if m != manager:
                    others |= ps
            for p in sorted(prev - new_paths - others, key=len):
                remove_path(new, p)
            body = {k: v for k, v in cfg.items() if k != "status" or sub == "status"}
            new = strategic_merge_patch(new, body)
            mf_saved = new["metadata"].pop("managedFields", None)
            prune_empty(new, cfg)
            if mf_saved is not None:
                new["metadata"]["managedFields"] = mf_saved
            new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
            return self.update(r, ns, name, new, q, sub=sub, check_rv=False)

    def delete(self, r, ns, name, q, opts):
        with self.lock:
            obj = self.get(r, ns, name)
            pre = (opts or {}).get("preconditions") or {}
            if pre.get("uid") and pre["uid"] != obj["metadata"]["uid"]:
                raise r.conflict(name)
            if pre.get("resourceVersion") and pre["resourceVersion"] != \
                    obj["metadata"]["resourceVersion"]:
                raise r.conflict(name)
            policy = q.get("propagationPolicy") or (opts or {}).get("propagationPolicy") or \
                ("Orphan" if (opts or {}).get("orphanDependents") else "Background")
            if q.get("dryRun") or "All" in ((opts or {}).get("dryRun") or []):
                return obj
            if obj["metadata"].get("finalizers") or r.kind == "Namespace":
                if not obj["metadata"].get("deletionTimestamp"):
                    obj = copy.deepcopy(obj)
                    obj["metadata"]["deletionTimestamp"] = now_rfc3339()
                    obj["metadata"]["deletionGracePeriodSeconds"] = 0
                    if r.kind == "Namespace":
                        obj["status"] = {"phase": "Terminating"}
                    prev = self.objects[(r.group, r.plural)][(ns or "", name)]
                    obj["metadata"]["resourceVersion"] = str(self.next_rv())
                    self.objects[(r.group, r.plural)][(ns or "", name)] = obj
                    self.record(r, "MODIFIED", obj, prev)
                if r.kind == "Namespace":
                    # the namespace controller: remove its content, then the namespace
                    threading.Thread(target=self._finish_namespace, args=(name,),
                                     daemon=True).start()
                    return copy.deepcopy(obj)
                return copy.deepcopy(obj)
            gone = self._remove(r, ns, name)
            self._collect(gone["metadata"]["uid"], policy)
            return gone

    def _finish_namespace(self, name):
        time.sleep(0.05)
        with self.lock:
            for (g, plural), store in list(self.objects.items()):
                r = self.resources.get((g, plural))
                for (ns, n) in list(store):
                    if ns == name and r is not None:
                        self._remove(r, ns, n)
            if ("", name) in self.objects[("", "namespaces")]:
                self._remove(self.resources[("", "namespaces")], "", name)

    def _remove(self, r, ns, name):
        store = self.objects[(r.group, r.plural)]
        obj = store.pop((ns or "", name))
        self.managed.pop((r.group, r.plural, ns or "", name), None)
        obj = copy.deepcopy(obj)
        obj["metadata"]["resourceVersion"] = str(self.next_rv())
        self.record(r, "DELETED", obj)
        log("delete %s %s/%s" % (r.qualified, ns, name))
        return obj

    def _collect(self, uid, policy):
        """Garbage collection of dependents (ownerReferences)."""
        for (g, plural), store in list(self.objects.items()):
            r = self.resources.get((g, plural))
            for (ns, n), o in list(store.items()):
                refs = o["metadata"].get("ownerReferences") or []
                if any(ref.get("uid") == uid for ref in refs):
                    if policy == "Orphan":
                        o2 = copy.deepcopy(o)
                        o2["metadata"]["ownerReferences"] = [x for x in refs if x.get("uid") != uid]
                        if not o2["metadata"]["ownerReferences"]:
                            del o2["metadata"]["ownerReferences"]
                        o2["metadata"]["resourceVersion"] = str(self.next_rv())
                        store[(ns, n)] = o2
                        self.record(r, "MODIFIED", o2, o)
                    else:
                        gone = self._remove(r, ns, n)
                        self._collect(gone["metadata"]["uid"], policy)

    def list(self, r, ns, q):
        with self.lock:
            # as the API server: a list in a namespace that does not exist is empty, no 404
            lm = label_matcher(q.get("labelSelector"))
            fm = field_matcher(q.get("fieldSelector"))
            items = [o for (ons, _n), o in sorted(self.objects[(r.group, r.plural)].items())
                     if (not ns or ons == ns) and lm(o["metadata"].get("labels")) and fm(o)]
            meta = {"resourceVersion": str(self.rv)}
            cont = q.get("continue")
            if cont:
                try:
                    after = json.loads(base64.urlsafe_b64decode(cont.encode()).decode())
                except ValueError:
                    raise ApiError(400, "BadRequest", "continue key is not valid")
                items = [o for o in items if (o["metadata"].get("namespace", ""),
                                              o["metadata"]["name"]) > tuple(after["k"])]
                meta["resourceVersion"] = after.get("rv", meta["resourceVersion"])
            limit = int(q.get("limit") or 0)
            if limit and len(items) > limit:
                last = items[limit - 1]["metadata"]
                meta["continue"] = base64.urlsafe_b64encode(json.dumps(
                    {"k": [last.get("namespace", ""), last["name"]],
                     "rv": meta["resourceVersion"]}).encode()).decode()
                meta["remainingItemCount"] = len(items) - limit
                items = items[:limit]
            return {"kind": r.kind + "List", "apiVersion": r.gv, "metadata": meta,
                    "items": copy.deepcopy(items)}


def strip_job_labels(t):
    t = copy.deepcopy(t or {})
    labels = (t.get("metadata") or {}).get("labels") or {}
    for k in ("controller-uid", "job-name", "batch.kubernetes.io/controller-uid",
              "batch.kubernetes.io/job-name"):
        labels.pop(k, None)
    return t


def path_str(p):
    out = ""
    for el in p:
        if el.startswith("f:"):
            out += "." + el[2:]
        else:
            kv = json.loads(el[2:])
            out += "[" + ",".join("%s=%s" % (k, json.dumps(v)) for k, v in kv.items()) + "]"
    return out


# ----------------------------------------------------------------------------- protobuf bodies
# kubectl's typed clients (`kubectl create namespace|configmap|secret`) POST protobuf.  Only
# those kinds are decoded (metadata name/generateName/namespace/labels/annotations + data);
# anything else answers 415 so the gap is visible.

def _pb_fields(buf):
    i, out = 0, []
    while i < len(buf):
        key, i = _pb_varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _pb_varint(buf, i)
        elif wt == 2:
            n, i = _pb_varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ApiError(415, "UnsupportedMediaType", "unsupported protobuf wire type")
        out.append((num, v))
    return out


def _pb_varint(buf, i):
    shift = val = 0
    while True:
        b = buf[i]
        i += 1
        val |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return val, i


def _pb_map(v):
    d = dict(_pb_fields(v))
    return d.get(1, b"").decode(), d.get(2, b"")


def _pb_meta(buf):
    meta = {}
    for num, v in _pb_fields(buf):
        if num in (1, 2, 3, 6):
            meta[{1: "name", 2: "generateName", 3: "namespace",
                  6: "resourceVersion"}[num]] = v.decode()
        elif num == 14:
            meta.setdefault("finalizers", []).append(v.decode())
        elif num in (11, 12):
            k, val = _pb_map(v)
            meta.setdefault("labels" if num == 11 else "annotations", {})[k] = val.decode()
    return meta


def decode_protobuf(body):
    if not body.startswith(b"k8s\x00"):
        raise ApiError(415, "UnsupportedMediaType", "protobuf body without the k8s envelope")
    unk = dict(_pb_fields(body[4:]))
    tm = dict(_pb_fields(unk.get(1, b"")))
    api_version, kind = tm.get(1, b"").decode(), tm.get(2, b"").decode()
    if kind == "DeleteOptions":
        opts = {}
        for num, v in _pb_fields(unk.get(2, b"")):
            if num == 1:
                opts["gracePeriodSeconds"] = v
            elif num == 2:
                pre = dict(_pb_fields(v))
                opts["preconditions"] = {k: pre[n].decode() for n, k in
                                         ((1, "uid"), (2, "resourceVersion")) if n in pre}
            elif num == 3:
                opts["orphanDependents"] = bool(v)
            elif num == 4:
                opts["propagationPolicy"] = v.decode()
            elif num == 5:
                opts.setdefault("dryRun", []).append(v.decode())
        return opts
    if kind not in ("Namespace", "ConfigMap", "Secret"):
        raise ApiError(415, "UnsupportedMediaType", "emulator: protobuf bodies are only decoded "
                       "for Namespace, ConfigMap, Secret and DeleteOptions (got %s); send JSON" % kind)
    obj = {"apiVersion": api_version, "kind": kind, "metadata": {}}
    for num, v in _pb_fields(unk.get(2, b"")):
        if num == 1:
            obj["metadata"] = _pb_meta(v)
        elif num == 2 and kind in ("ConfigMap", "Secret"):
            k, val = _pb_map(v)
            obj.setdefault("data", {})[k] = val.decode() if kind == "ConfigMap" else \
                base64.b64encode(val).decode()
        elif num == 3 and kind == "ConfigMap":
            k, val = _pb_map(v)
            obj.setdefault("binaryData", {})[k] = base64.b64encode(val).decode()
        elif num == 3 and kind == "Secret":
            obj["type"] = v.decode()
        elif num == 4 and kind == "Secret":
            k, val = _pb_map(v)
            obj.setdefault("stringData", {})[k] = val.decode()
    return obj


# ----------------------------------------------------------------------------- tiny YAML reader
# apply-patch+yaml bodies: kubectl and helm send JSON (valid YAML); plain block YAML with maps,
# lists and scalars is accepted too for hand-written requests.

def parse_yaml_or_json(raw):
    text = raw.decode() if isinstance(raw, bytes) else raw
    try:
        return json.loads(text)
    except ValueError:
        pass
    lines = [ln for ln in text.splitlines()
             if ln.strip() and not ln.strip().startswith("#") and ln.strip() != "---"]
    val, _ = _yaml_block(lines, 0, 0)
    return val


def _yaml_scalar(s):
    s = s.strip()
    if not s:
        return None
    if s[0] in "\"'":
        return json.loads(s) if s[0] == '"' else s[1:-1].replace("''", "'")
    if s in ("null", "~"):
        return None
    if s in ("true", "false"):
        return s == "true"
    if s[0] in "[{":
        try:
            return json.loads(s)
        except ValueError:
            pass
    if re.fullmatch(r"-?[0-9]+", s):
        return int(s)
    if re.fullmatch(r"-?[0-9]*\.[0-9]+", s):
        return float(s)
    return s


def _indent(ln):
    return len(ln) - len(ln.lstrip(" "))


def _yaml_block(lines, i, ind):
    if i >= len(lines):
        return None, i
    if lines[i].lstrip().startswith("- ") or lines[i].strip() == "-":
        out = []
        while i < len(lines) and _indent(lines[i]) == ind and lines[i].lstrip().startswith("-"):
            rest = lines[i].lstrip()[1:]
            if not rest.strip():
                v, i = _yaml_block(lines, i + 1, _indent(lines[i + 1]) if i + 1 < len(lines)
                                   else 0)
                out.append(v)
                continue
            sub = " " * (ind + 2) + rest.lstrip()
            j = i + 1
            block = [sub]
            while j < len(lines) and _indent(lines[j]) > ind:
                block.append(lines[j])
                j += 1
            v, _ = _yaml_block(block, 0, ind + 2)
            out.append(v)
            i = j
        return out, i
    out = {}
    while i < len(lines) and _indent(lines[i]) == ind:
        m = re.match(r'^\s*("[^"]*"|\'[^\']*\'|[^:]+?)\s*:(\s+(.*))?$', lines[i])
        if not m:
            return _yaml_scalar(lines[i]), i + 1
        k = _yaml_scalar(m.group(1))
        rest = (m.group(3) or "").strip()
        if rest in ("|", "|-", ">", ">-"):
            j = i + 1
            block = []
            while j < len(lines) and _indent(lines[j]) > ind:
                block.append(lines[j])
                j += 1
            bi = min((_indent(b) for b in block), default=0)
            txt = "\n".join(b[bi:] for b in block)
            out[k] = txt + ("" if rest.endswith("-") else "\n")
            i = j
        elif rest:
            out[k] = _yaml_scalar(rest)
            i += 1
        elif i + 1 < len(lines) and (_indent(lines[i + 1]) > ind or
                                     (_indent(lines[i + 1]) == ind and
                                      lines[i + 1].lstrip().startswith("-"))):
            out[k], i = _yaml_block(lines, i + 1, _indent(lines[i + 1]))
        else:
            out[k] = None
            i += 1
    return out, i


# ----------------------------------------------------------------------------- controller
# A small loop that plays the controllers and the kubelet.  Per object behaviour is set with
# annotations (see README.md):
#   emulator.dk/ready-after: "1s"     delay before the behaviour starts (default 0)
#   emulator.dk/behaviour: "ready"    what happens then (BEHAVIOURS below)

ANN_READY_AFTER = "emulator.dk/ready-after"
ANN_BEHAVIOUR = "emulator.dk/behaviour"
ANN_LOG = "emulator.dk/log"
ANN_RESTART_EVERY = "emulator.dk/restart-every"
ANN_NODES = "emulator.dk/nodes"
NODE = "emulator-node"
FAILED_SCHEDULING = ("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are "
                     "available: 1 No preemption victims found for incoming pod.")
TIME_KEYS = ("lastUpdateTime", "lastTransitionTime", "lastProbeTime", "lastHeartbeatTime")


def annotations(obj):
    return obj["metadata"].get("annotations") or {}


def untimed(x):
    """x without the condition timestamps (statuses that differ only there are the same)."""
    if isinstance(x, dict):
        return {k: untimed(v) for k, v in x.items() if k not in TIME_KEYS}
    if isinstance(x, list):
        return [untimed(v) for v in x]
    return x


def template_hash(tmpl):
    return hashlib.sha1(json.dumps(tmpl, sort_keys=True).encode()).hexdigest()[:10]


def pod_log_text(emu, pod, container):
    """What a container has written: its annotation text (emulator.dk/log-<container>, else
    emulator.dk/log), once more for each restart the controller played."""
    ann = annotations(pod)
    text = ann.get(ANN_LOG + "-" + container, ann.get(ANN_LOG, ""))
    if text and not text.endswith("\n"):
        text += "\n"
    return text * (1 + emu.log_repeats.get((pod["metadata"]["uid"], container), 0))


class Controller(threading.Thread):
    KINDS = [("apps", "deployments"), ("apps", "statefulsets"), ("apps", "daemonsets"),
             ("apps", "replicasets"), ("batch", "jobs"), ("", "pods")]

    def __init__(self, emu, interval=0.1):
        super().__init__(daemon=True)
        self.emu, self.interval = emu, interval
        self.seen = {}         # (group, plural, ns, name) -> (generation, first seen monotonic)
        self.pod_start = {}    # pod uid -> monotonic time its containers started
        self.pod_events = {}   # pod uid -> mode whose one-off events were written
        self.event_names = {}  # (uid, reason, message, fieldPath) -> Event name
        self.by_owner = {}     # controller uid -> {pod name: pod}, rebuilt every step

    def run(self):
        while True:
            time.sleep(self.interval)
            try:
                self.step()
            except Exception as e:  # keep the controller alive; tests read the log
                import traceback
                log("controller error: %r\n%s" % (e, traceback.format_exc()))

    def step(self):
        """One pass over the workloads; the lock is taken per object, so that watchers stream
        what changed while the controller goes on (as an API server's clients would)."""
        emu = self.emu
        with emu.lock:
            self.by_owner = {}
            for (ns, name), o in emu.objects[("", "pods")].items():
                for ref in o["metadata"].get("ownerReferences") or []:
                    if ref.get("controller"):
                        self.by_owner.setdefault(ref.get("uid"), {})[name] = o
        for g, plural in self.KINDS:
            r = emu.resources[(g, plural)]
            with emu.lock:
                keys = list(emu.objects[(g, plural)])
            for ns, name in keys:
                with emu.lock:
                    self.step_one(r, g, plural, ns, name)

    def step_one(self, r, g, plural, ns, name):
        emu = self.emu
        obj = emu.objects[(g, plural)].get((ns, name))
        if obj is None or obj["metadata"].get("deletionTimestamp"):
            return  # gone meanwhile, or going
        if plural == "replicasets" and controller_of(obj, "Deployment"):
            return  # played by its Deployment
        if plural == "pods" and (obj["metadata"].get("ownerReferences") or not (
                ANN_BEHAVIOUR in annotations(obj) or ANN_READY_AFTER in annotations(obj))):
            return  # a controller's Pod, or a bare Pod nobody asked to run
        key = (g, plural, ns, name)
        gen = obj["metadata"].get("generation", 1)
        if self.seen.get(key, (None,))[0] != gen:
            self.seen[key] = (gen, time.monotonic())
            self.progressing(r, obj)
            return
        ann = annotations(obj)
        behaviour = BEHAVIOURS.get(ann.get(ANN_BEHAVIOUR, "ready"), None)
        if behaviour is None:
            return
        if time.monotonic() - self.seen[key][1] < parse_duration(ann.get(ANN_READY_AFTER, "0")):
            return
        behaviour(self, r, obj)

    def write_status(self, r, obj, status):
        if untimed(obj.get("status")) == untimed(status):
            return
        new = copy.deepcopy(obj)
        new["status"] = status
        self.emu.update(r, obj["metadata"].get("namespace"), obj["metadata"]["name"], new,
                        {"fieldManager": "kube-controller-manager"}, sub="status",
                        check_rv=False)
        self.emu.status_times[(r.group, r.plural, obj["metadata"].get("namespace") or "",
                               obj["metadata"]["name"])] = time.time()

    def current(self, obj):
        """The stored version of obj (None once deleted)."""
        r = self.emu.resources[({"v1": ""}.get(obj["apiVersion"],
                                               obj["apiVersion"].split("/")[0]),
                                obj["kind"].lower() + "s")]
        return self.emu.objects[(r.group, r.plural)].get((obj["metadata"].get("namespace", ""),
                                                         obj["metadata"]["name"]))

    # -- events
    def event(self, obj, etype, reason, message, field_path=None, count=None):
        """A core v1 Event about obj.  The same reason and message again bumps `count` (to
        `count` when given, never down) and `lastTimestamp`, as the event recorder does."""
        emu = self.emu
        evr = emu.resources[("", "events")]
        meta = obj["metadata"]
        ns = meta.get("namespace") or "default"
        key = (meta["uid"], reason, message, field_path)
        t = now_rfc3339()
        name = self.event_names.get(key)
        cur = emu.objects[("", "events")].get((ns, name)) if name else None
        try:
            if cur is not None:
                n = cur.get("count", 1) + 1 if count is None else count
                if n <= cur.get("count", 1):
                    return
                new = copy.deepcopy(cur)
                new["count"], new["lastTimestamp"] = n, t
                emu.update(evr, ns, name, new, {"fieldManager": "kube-controller-manager"},
                           check_rv=False)
                return
            name = "%s.%s" % (meta["name"], uuid.uuid4().hex[:16])
            inv = {"kind": obj["kind"], "namespace": ns, "name": meta["name"],
                   "uid": meta["uid"], "apiVersion": obj["apiVersion"],
                   "resourceVersion": meta.get("resourceVersion", "")}
            if field_path:
                inv["fieldPath"] = field_path
            component = "kubelet" if obj["kind"] == "Pod" and reason != "Scheduled" else \
                "default-scheduler" if reason in ("Scheduled", "FailedScheduling") else \
                {"Deployment": "deployment-controller", "ReplicaSet": "replicaset-controller",
                 "StatefulSet": "statefulset-controller", "DaemonSet": "daemonset-controller",
                 "Job": "job-controller"}.get(obj["kind"], "emulator")
            emu.create(evr, ns, {
                "apiVersion": "v1", "kind": "Event", "metadata": {"name": name},
                "involvedObject": inv, "reason": reason, "message": message, "type": etype,
                "count": count or 1, "firstTimestamp": t, "lastTimestamp": t,
                "source": {"component": component, "host": NODE if component == "kubelet"
                           else None},
                "reportingComponent": component, "reportingInstance": ""},
                {"fieldManager": component})
            self.event_names[key] = name
        except ApiError:
            pass  # the namespace is going away

    # -- pods (the kubelet)
    def pod_status(self, pod, mode, since):
        """A Pod's status in `mode`, `since` seconds after its containers started."""
        meta, spec = pod["metadata"], pod.get("spec") or {}
        t0 = meta["creationTimestamp"]
        period = parse_duration(annotations(pod).get(ANN_RESTART_EVERY, "1s")) or 1.0
        ready = mode == "ready"
        phase = {"fail": "Failed", "succeed": "Succeeded", "image-pull-backoff": "Pending",
                 "err-image-pull": "Pending", "pending": "Pending",
                 "unschedulable": "Pending"}.get(mode, "Running")
        cs = []
        for c in spec.get("containers") or []:
            s = {"name": c.get("name"), "image": c.get("image"), "imageID": "",
                 "ready": ready, "restartCount": 0, "started": phase == "Running",
                 "state": {"running": {"startedAt": t0}}}
            if mode == "crashloop":
                n = 1 + int(since / period)
                s.update(ready=False, started=False, restartCount=n, lastState={"terminated": {
                    "exitCode": 1, "reason": "Error", "startedAt": t0, "finishedAt": t0}})
                s["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message":
                                          "back-off %ds restarting failed container=%s pod=%s_%s"
                                          "(%s)" % (min(10 << min(n - 1, 5), 300), c.get("name"),
                                                    meta["name"], meta.get("namespace"),
                                                    meta["uid"])}}
            elif mode in ("image-pull-backoff", "err-image-pull"):
                s["state"] = {"waiting": {
                    "reason": "ImagePullBackOff", "message": 'Back-off pulling image "%s"'
                    % c.get("image")} if mode == "image-pull-backoff" else {
                    "reason": "ErrImagePull", "message": 'failed to pull and unpack image "%s": '
                    'not found' % c.get("image")}}
            elif mode == "pending":
                s["state"] = {"waiting": {"reason": "ContainerCreating"}}
            elif mode in ("fail", "succeed"):
                s["state"] = {"terminated": {
                    "exitCode": 1 if mode == "fail" else 0,
                    "reason": "Error" if mode == "fail" else "Completed",
                    "startedAt": t0, "finishedAt": t0}}
            cs.append(s)
        scheduled = mode != "unschedulable"
        why = {"fail": "PodFailed", "succeed": "PodCompleted"}.get(mode, "ContainersNotReady")

        def cond(typ, ok, reason=None, message=None):
            c = {"type": typ, "status": "True" if ok else "False", "lastProbeTime": None,
                 "lastTransitionTime": t0}
            if not ok and reason:
                c["reason"] = reason
            if not ok and message:
                c["message"] = message
            return c
        notready = "containers with unready status: [%s]" % " ".join(
            c["name"] for c in cs if not c["ready"])
        conds = [cond("PodScheduled", scheduled, "Unschedulable",
                      "0/1 nodes are available: 1 Insufficient cpu.")]
        st = {"phase": phase, "qosClass": "BestEffort", "conditions": conds}
        if scheduled:
            conds += [cond("Initialized", True), cond("Ready", ready, why, notready),
                      cond("ContainersReady", ready, why, notready)]
            st.update({"hostIP": "10.0.0.1", "podIP": "10.244.%d.%d" % (
                int(meta["uid"][:2], 16), int(meta["uid"][2:4], 16) % 250 + 2),
                "startTime": t0, "containerStatuses": cs})
        return st

    def set_pod(self, pod, mode):
        """Plays the kubelet for a Pod: its status and events in `mode`."""
        emu = self.emu
        pods = emu.resources[("", "pods")]
        uid = pod["metadata"]["uid"]
        start = self.pod_start.setdefault(uid, time.monotonic())
        since = time.monotonic() - start
        st = self.pod_status(pod, mode, since)
        old = (pod.get("status") or {}).get("containerStatuses") or []
        self.write_status(pods, pod, st)
        pod = self.current(pod) or pod
        if self.pod_events.get(uid) != mode:
            self.pod_events[uid] = mode
            self.pod_first_events(pod, mode)
        period = parse_duration(annotations(pod).get(ANN_RESTART_EVERY, "1s")) or 1.0
        if mode == "unschedulable":  # the scheduler tries again
            self.event(pod, "Warning", "FailedScheduling", FAILED_SCHEDULING, None,
                       1 + int(since / period))
        for c in st.get("containerStatuses") or []:
            fp = "spec.containers{%s}" % c["name"]
            if mode == "crashloop":
                before = [o.get("restartCount", 0) for o in old if o.get("name") == c["name"]]
                if c["restartCount"] > (before[0] if before else 0):
                    emu.log_repeats[(uid, c["name"])] = c["restartCount"] - 1
                    self.event(pod, "Warning", "BackOff",
                               "Back-off restarting failed container %s in pod %s_%s(%s)"
                               % (c["name"], pod["metadata"]["name"],
                                  pod["metadata"]["namespace"], uid), fp, c["restartCount"])
            elif mode == "probe-fail":
                self.event(pod, "Warning", "Unhealthy", "Readiness probe failed: HTTP probe "
                           "failed with statuscode: 503", fp, 1 + int(since / period))
            elif mode == "image-pull-backoff":
                self.event(pod, "Normal", "BackOff", 'Back-off pulling image "%s"'
                           % c["image"], fp, 1 + int(since / period))

    def pod_first_events(self, pod, mode):
        meta = pod["metadata"]
        if mode == "unschedulable":
            self.event(pod, "Warning", "FailedScheduling", FAILED_SCHEDULING)
            return
        self.event(pod, "Normal", "Scheduled", "Successfully assigned %s/%s to %s"
                   % (meta["namespace"], meta["name"], NODE))
        if mode == "pending":
            return
        for c in (pod.get("spec") or {}).get("containers") or []:
            fp = "spec.containers{%s}" % c.get("name")
            img = c.get("image")
            if mode in ("image-pull-backoff", "err-image-pull"):
                self.event(pod, "Normal", "Pulling", 'Pulling image "%s"' % img, fp)
                self.event(pod, "Warning", "Failed", 'Failed to pull image "%s": rpc error: code '
                           '= NotFound desc = failed to pull and unpack image "%s": not found'
                           % (img, img), fp)
                self.event(pod, "Warning", "Failed", "Error: ErrImagePull", fp)
                if mode == "image-pull-backoff":
                    self.event(pod, "Warning", "Failed", "Error: ImagePullBackOff", fp)
                continue
            self.event(pod, "Normal", "Pulled", 'Container image "%s" already present on '
                       'machine' % img, fp)
            self.event(pod, "Normal", "Created", "Created container: %s" % c.get("name"), fp)
            self.event(pod, "Normal", "Started", "Started container %s" % c.get("name"), fp)

    def owned_pods(self, owner, n, mode, top=None):
        """Exactly n Pods owned by owner (a ReplicaSet, StatefulSet, DaemonSet or Job), played
        in `mode`.  Pods of another template (StatefulSet, DaemonSet) are replaced.  `top` is
        the workload whose annotations (log, restart period) the Pods inherit."""
        emu = self.emu
        pods = emu.resources[("", "pods")]
        meta = owner["metadata"]
        ns, uid, kind = meta["namespace"], meta["uid"], owner["kind"]
        tmpl = (owner.get("spec") or {}).get("template") or {}
        rev = "%s-%s" % (meta["name"], template_hash(tmpl))
        mine = sorted((o for o in self.by_owner.get(uid, {}).values()
                       if self.current(o) is not None), key=lambda o: o["metadata"]["name"])
        keep = []
        for o in mine:
            if kind in ("StatefulSet", "DaemonSet") and \
                    o["metadata"]["labels"].get("controller-revision-hash") != rev:
                self.remove_pod(o, uid)
            else:
                keep.append(o)
        for o in keep[n:]:
            self.remove_pod(o, uid)
        mine = keep[:n]
        taken = {o["metadata"]["name"] for o in mine}
        ordinal = 0
        while len(mine) < n:
            labels = dict((tmpl.get("metadata") or {}).get("labels") or {})
            ann = dict((tmpl.get("metadata") or {}).get("annotations") or {})
            for k, v in annotations(top or owner).items():
                if k.startswith(ANN_LOG) or k == ANN_RESTART_EVERY:
                    ann.setdefault(k, v)
            spec = copy.deepcopy(tmpl.get("spec") or {})
            if kind == "StatefulSet":
                while "%s-%d" % (meta["name"], ordinal) in taken:
                    ordinal += 1
                name = "%s-%d" % (meta["name"], ordinal)
                labels.update({"controller-revision-hash": rev,
                               "statefulset.kubernetes.io/pod-name": name,
                               "apps.kubernetes.io/pod-index": str(ordinal)})
                spec.setdefault("hostname", name)
            else:
                name = "%s-%s" % (meta["name"], uuid.uuid4().hex[:5])
            if kind == "DaemonSet":
                labels.update({"controller-revision-hash": rev,
                               "pod-template-generation": str(meta.get("generation", 1))})
            if kind == "Job":
                labels.update({"job-name": meta["name"],
                               "batch.kubernetes.io/job-name": meta["name"],
                               "controller-uid": uid, "batch.kubernetes.io/controller-uid": uid})
            if mode != "unschedulable":
                spec.setdefault("nodeName", NODE)
            pod = emu.create(pods, ns, {
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "labels": labels, "annotations": ann,
                             "ownerReferences": [owner_ref(owner)]},
                "spec": spec}, {"fieldManager": "kube-controller-manager"})
            taken.add(name)
            self.by_owner.setdefault(uid, {})[name] = pod
            self.event(owner, "Normal", "SuccessfulCreate", "Created pod: %s" % name)
            mine.append(pod)
        for o in mine:
            cur = self.current(o)
            if cur is not None:
                self.set_pod(cur, mode)
        return mine

    def remove_pod(self, pod, owner_uid):
        self.emu._remove(self.emu.resources[("", "pods")], pod["metadata"]["namespace"],
                         pod["metadata"]["name"])
        self.by_owner.get(owner_uid, {}).pop(pod["metadata"]["name"], None)
        self.event(self.owner_of(pod) or pod, "Normal", "SuccessfulDelete",
                   "Deleted pod: %s" % pod["metadata"]["name"])

    def owner_of(self, pod):
        for ref in pod["metadata"].get("ownerReferences") or []:
            plural = ref["kind"].lower() + "s"
            group = ref["apiVersion"].split("/")[0] if "/" in ref["apiVersion"] else ""
            o = self.emu.objects.get((group, plural), {}).get(
                (pod["metadata"]["namespace"], ref["name"]))
            if o is not None:
                return o
        return None

    # -- workloads
    def progressing(self, r, obj):
        """A new generation was seen: the rollout starts (not ready yet)."""
        spec, st = obj.get("spec", {}), copy.deepcopy(obj.get("status") or {})
        gen = obj["metadata"].get("generation", 1)
        t = now_rfc3339()
        if r.kind == "Deployment":
            self.deployment_rs(obj, ready=False)
            obj = self.emu.objects[(r.group, r.plural)][(obj["metadata"]["namespace"],
                                                         obj["metadata"]["name"])]
            st = copy.deepcopy(obj.get("status") or {})
            st.update({"observedGeneration": gen, "replicas": spec.get("replicas", 1),
                       "updatedReplicas": 0, "unavailableReplicas": spec.get("replicas", 1)})
            st.setdefault("readyReplicas", 0)
            st.setdefault("availableReplicas", 0)
            st["conditions"] = [
                c for c in st.get("conditions", []) if c["type"] != "Progressing"] + [
                {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated",
                 "message": 'ReplicaSet "%s" is progressing.' % rs_name_of(obj),
                 "lastUpdateTime": t, "lastTransitionTime": t}]
            if not any(c["type"] == "Available" for c in st["conditions"]):
                st["conditions"].insert(0, {
                    "type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable",
                    "message": "Deployment does not have minimum availability.",
                    "lastUpdateTime": t, "lastTransitionTime": t})
        elif r.kind == "Job":
            st.setdefault("startTime", t)
            st["active"] = 1
            if annotations(obj).get(ANN_BEHAVIOUR, "ready") != "never-ready":
                self.owned_pods(obj, 1, "ready")
        elif r.kind == "Pod":
            self.set_pod(obj, "pending")
            return
        else:
            st["observedGeneration"] = gen
            st.setdefault("replicas", 0)
        self.write_status(r, obj, st)

    def become_ready(self, r, obj):
        spec = obj.get("spec", {})
        gen = obj["metadata"].get("generation", 1)
        t = now_rfc3339()
        n = spec.get("replicas", 1)
        st = copy.deepcopy(obj.get("status") or {})
        if r.kind == "Deployment":
            rs_name = self.deployment_rs(obj, ready=True)
            cond_t = {c["type"]: c for c in st.get("conditions", [])}
            av = cond_t.get("Available", {})
            st.update({"observedGeneration": gen, "replicas": n, "updatedReplicas": n,
                       "readyReplicas": n, "availableReplicas": n})
            st.pop("unavailableReplicas", None)
            if n == 0:
                for k in ("readyReplicas", "availableReplicas", "updatedReplicas", "replicas"):
                    st.pop(k, None)
            st["conditions"] = [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                 "message": "Deployment has minimum availability.", "lastUpdateTime": t,
                 "lastTransitionTime": av.get("lastTransitionTime", t)
                 if av.get("status") == "True" else t},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                 "message": 'ReplicaSet "%s" has successfully progressed.' % rs_name,
                 "lastUpdateTime": t, "lastTransitionTime":
                 cond_t.get("Progressing", {}).get("lastTransitionTime", t)}]
        elif r.kind == "StatefulSet":
            self.owned_pods(obj, n, "ready")
            rev = "%s-%s" % (obj["metadata"]["name"], template_hash(spec.get("template")))
            st.update({"observedGeneration": gen, "replicas": n, "readyReplicas": n,
                       "currentReplicas": n, "updatedReplicas": n, "availableReplicas": n,
                       "currentRevision": rev, "updateRevision": rev, "collisionCount": 0})
        elif r.kind == "DaemonSet":
            n = int(annotations(obj).get(ANN_NODES, "1"))
            self.owned_pods(obj, n, "ready")
            st.update({"observedGeneration": gen, "desiredNumberScheduled": n,
                       "currentNumberScheduled": n, "updatedNumberScheduled": n,
                       "numberReady": n, "numberAvailable": n, "numberMisscheduled": 0})
            st.pop("numberUnavailable", None)
        elif r.kind == "ReplicaSet":
            self.owned_pods(obj, n, "ready")
            st.update({"observedGeneration": gen, "replicas": n, "readyReplicas": n,
                       "availableReplicas": n, "fullyLabeledReplicas": n})
        elif r.kind == "Job":
            if any(c.get("type") in ("Complete", "Failed") for c in st.get("conditions", [])):
                return
            self.owned_pods(obj, 1, "succeed")
            st.pop("active", None)
            st.update({"succeeded": spec.get("completions", 1), "completionTime": t,
                       "ready": 0, "terminating": 0})
            st["conditions"] = [
                {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached",
                 "message": "Reached expected number of succeeded pods",
                 "lastProbeTime": t, "lastTransitionTime": t},
                {"type": "Complete", "status": "True", "reason": "CompletionsReached",
                 "message": "Reached expected number of succeeded pods",
                 "lastProbeTime": t, "lastTransitionTime": t}]
            self.event(obj, "Normal", "Completed", "Job completed")
        elif r.kind == "Pod":
            return self.set_pod(obj, "ready")
        self.write_status(r, obj, st)

    def fail(self, r, obj, mode):
        """A workload whose Pods are in a failing `mode` (crashloop, image-pull-backoff,
        err-image-pull, probe-fail, unschedulable, not-ready), or a Job whose Pod fails."""
        spec = obj.get("spec", {})
        gen = obj["metadata"].get("generation", 1)
        n = spec.get("replicas", 1)
        t = now_rfc3339()
        st = copy.deepcopy(obj.get("status") or {})
        if r.kind == "Deployment":
            rs_name = self.deployment_rs(obj, ready=False)
            rs = self.emu.objects[("apps", "replicasets")][(obj["metadata"]["namespace"],
                                                            rs_name)]
            self.scale_rs(rs, n, mode, obj)
            st.update({"observedGeneration": gen, "replicas": n, "updatedReplicas": n,
                       "readyReplicas": 0, "availableReplicas": 0, "unavailableReplicas": n})
            if mode == "deadline":
                conds = [c for c in st.get("conditions", []) if c["type"] != "Progressing"]
                prev = [c for c in st.get("conditions", []) if c["type"] == "Progressing"]
                if not prev or prev[0].get("reason") != "ProgressDeadlineExceeded":
                    prev = [{"type": "Progressing", "status": "False",
                             "reason": "ProgressDeadlineExceeded",
                             "message": 'ReplicaSet "%s" has timed out progressing.' % rs_name,
                             "lastUpdateTime": t, "lastTransitionTime": t}]
                st["conditions"] = conds + prev
        elif r.kind == "StatefulSet":
            self.owned_pods(obj, n, mode)
            rev = "%s-%s" % (obj["metadata"]["name"], template_hash(spec.get("template")))
            st.update({"observedGeneration": gen, "replicas": n, "readyReplicas": 0,
                       "currentReplicas": n, "updatedReplicas": n, "availableReplicas": 0,
                       "currentRevision": rev, "updateRevision": rev, "collisionCount": 0})
        elif r.kind == "DaemonSet":
            n = int(annotations(obj).get(ANN_NODES, "1"))
            self.owned_pods(obj, n, mode)
            st.update({"observedGeneration": gen, "desiredNumberScheduled": n,
                       "currentNumberScheduled": n, "updatedNumberScheduled": n,
                       "numberReady": 0, "numberAvailable": 0, "numberUnavailable": n,
                       "numberMisscheduled": 0})
        elif r.kind == "ReplicaSet":
            self.owned_pods(obj, n, mode)
            st.update({"observedGeneration": gen, "replicas": n, "readyReplicas": 0,
                       "availableReplicas": 0, "fullyLabeledReplicas": n})
        elif r.kind == "Job":
            if any(c.get("type") in ("Complete", "Failed") for c in st.get("conditions", [])):
                return
            if mode != "fail":
                self.owned_pods(obj, 1, mode)
                st["active"] = 1
            else:
                self.owned_pods(obj, 1, "fail")
                st.pop("active", None)
                st.update({"failed": 1, "ready": 0, "terminating": 0})
                msg = "Job has reached the specified backoff limit"
                st["conditions"] = [
                    {"type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded",
                     "message": msg, "lastProbeTime": t, "lastTransitionTime": t},
                    {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                     "message": msg, "lastProbeTime": t, "lastTransitionTime": t}]
                self.event(obj, "Warning", "BackoffLimitExceeded", msg)
        elif r.kind == "Pod":
            return self.set_pod(obj, mode)
        self.write_status(r, obj, st)

    def deployment_rs(self, dep, ready):
        """The Deployment's ReplicaSet for its current template (made on a new generation,
        scaled and given ready Pods once the Deployment is ready); other ReplicaSets of the
        Deployment go to 0.  Returns the ReplicaSet's name."""
        emu = self.emu
        rss = emu.resources[("apps", "replicasets")]
        ns, dname, duid = dep["metadata"]["namespace"], dep["metadata"]["name"], \
            dep["metadata"]["uid"]
        spec = dep.get("spec", {})
        n = spec.get("replicas", 1)
        rs_name = rs_name_of(dep)
        phash = rs_name[len(dname) + 1:]
        owned = [o for (ons, _), o in emu.objects[("apps", "replicasets")].items()
                 if ons == ns and controller_of(o, "Deployment", duid)]
        revisions = [int((o["metadata"].get("annotations") or {}).get(
            "deployment.kubernetes.io/revision", "0")) for o in owned]
        cur = emu.objects[("apps", "replicasets")].get((ns, rs_name))
        if cur is None:
            tmpl = copy.deepcopy(spec.get("template") or {})
            tmpl.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = phash
            sel = copy.deepcopy(spec.get("selector") or {})
            sel.setdefault("matchLabels", {})["pod-template-hash"] = phash
            cur = emu.create(rss, ns, {
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"name": rs_name, "labels": dict(tmpl["metadata"]["labels"]),
                             "annotations": {"deployment.kubernetes.io/revision":
                                             str(max(revisions + [0]) + 1),
                                             "deployment.kubernetes.io/desired-replicas": str(n)},
                             "ownerReferences": [owner_ref(dep)]},
                "spec": {"replicas": 0, "selector": sel, "template": tmpl}},
                {"fieldManager": "kube-controller-manager"})
        elif not controller_of(cur, "Deployment"):  # an orphan with our template: adopt it
            adopted = copy.deepcopy(cur)
            adopted["metadata"].setdefault("ownerReferences", []).append(owner_ref(dep))
            emu.update(rss, ns, rs_name, adopted, {"fieldManager": "kube-controller-manager"},
                       check_rv=False)
        for o in owned:
            if o["metadata"]["name"] != rs_name and o.get("spec", {}).get("replicas", 0) != 0:
                self.scale_rs(o, 0)
        if ready:
            self.scale_rs(emu.objects[("apps", "replicasets")][(ns, rs_name)], n, "ready", dep)
        return rs_name

    def scale_rs(self, rs, n, mode="ready", top=None):
        emu = self.emu
        rss = emu.resources[("apps", "replicasets")]
        ns, name = rs["metadata"]["namespace"], rs["metadata"]["name"]
        if rs.get("spec", {}).get("replicas") != n:
            new = copy.deepcopy(rs)
            new["spec"]["replicas"] = n
            emu.update(rss, ns, name, new, {"fieldManager": "kube-controller-manager"},
                       check_rv=False)
            if top is not None and n:
                self.event(top, "Normal", "ScalingReplicaSet", "Scaled up replica set %s from "
                           "%d to %d" % (name, rs.get("spec", {}).get("replicas") or 0, n))
        self.rs_pods(emu.objects[("apps", "replicasets")][(ns, name)], n, mode, top)
        rs = emu.objects[("apps", "replicasets")][(ns, name)]
        st = {"observedGeneration": rs["metadata"].get("generation", 1), "replicas": n}
        if n:
            st["fullyLabeledReplicas"] = n
            if mode == "ready":
                st.update({"readyReplicas": n, "availableReplicas": n})
        self.write_status(rss, rs, st)

    def rs_pods(self, rs, n, mode="ready", top=None):
        """Exactly n Pods owned by the ReplicaSet, in `mode`."""
        return self.owned_pods(rs, n, mode, top)


def controller_of(obj, kind, uid=None):
    return any(ref.get("controller") and ref.get("kind") == kind and
               (uid is None or ref.get("uid") == uid)
               for ref in obj["metadata"].get("ownerReferences") or [])


def owner_ref(obj):
    return {"apiVersion": obj["apiVersion"], "kind": obj["kind"],
            "name": obj["metadata"]["name"], "uid": obj["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True}


def rs_name_of(dep):
    h = hashlib.sha256(json.dumps(dep.get("spec", {}).get("template"), sort_keys=True)
                       .encode()).hexdigest()
    alphabet = "bcdfghjklmnpqrstvwxz2456789"  # the API server's safe-encoding alphabet
    return "%s-%s" % (dep["metadata"]["name"], "".join(alphabet[int(h[i:i + 2], 16) % 27]
                                                       for i in range(0, 20, 2)))


def failing(mode):
    def behaviour(ctl, r, obj):
        ctl.fail(r, obj, mode)
    return behaviour


# emulator.dk/behaviour values: what the controller plays once emulator.dk/ready-after passed
BEHAVIOURS = {
    "ready": Controller.become_ready,
    "never-ready": None,
    "crashloop": failing("crashloop"),
    "image-pull-backoff": failing("image-pull-backoff"),
    "err-image-pull": failing("err-image-pull"),
    "probe-fail": failing("probe-fail"),
    "unschedulable": failing("unschedulable"),
    "not-ready": failing("not-ready"),
    "deadline": failing("deadline"),
    "fail": failing("fail"),
}


# ----------------------------------------------------------------------------- Table
# `kubectl get` asks for meta.k8s.io Tables (Accept: application/json;as=Table;v=v1;
# g=meta.k8s.io, ...); the columns are the API server's for the common kinds, Name and Age
# for the rest.

def human_age(ts):
    try:
        t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return "<unknown>"
    s = max(0, int((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds()))
    if s < 120:
        return "%ds" % s
    m = s // 60
    if m < 10:
        return "%dm%ds" % (m, s % 60)
    if m < 180:
        return "%dm" % m
    h = m // 60
    if h < 8:
        return "%dh%dm" % (h, m % 60)
    if h < 48:
        return "%dh" % h
    if h < 192:
        return "%dd%dh" % (h // 24, h % 24)
    return "%dd" % (h // 24)


def pod_status_word(pod):
    """kubectl's STATUS of a pod."""
    st = pod.get("status") or {}
    word = st.get("reason") or st.get("phase") or "Pending"
    for c in st.get("containerStatuses") or []:
        state = c.get("state") or {}
        if (state.get("waiting") or {}).get("reason"):
            word = state["waiting"]["reason"]
        elif (state.get("terminated") or {}).get("reason"):
            word = state["terminated"]["reason"]
    if pod["metadata"].get("deletionTimestamp"):
        word = "Terminating"
    return word


def table_columns(kind, o):
    """(column names, cells) of one object."""
    st, spec, meta = o.get("status") or {}, o.get("spec") or {}, o["metadata"]
    age = human_age(meta.get("creationTimestamp"))
    if kind == "Pod":
        cs = st.get("containerStatuses") or []
        n = len(cs) or len(spec.get("containers") or [])
        return (["Name", "Ready", "Status", "Restarts", "Age"],
                [meta["name"], "%d/%d" % (sum(1 for c in cs if c.get("ready")), n),
                 pod_status_word(o), sum(c.get("restartCount", 0) for c in cs), age])
    if kind == "Deployment":
        return (["Name", "Ready", "Up-to-date", "Available", "Age"],
                [meta["name"], "%d/%d" % (st.get("readyReplicas", 0), spec.get("replicas", 1)),
                 st.get("updatedReplicas", 0), st.get("availableReplicas", 0), age])
    if kind == "ReplicaSet":
        return (["Name", "Desired", "Current", "Ready", "Age"],
                [meta["name"], spec.get("replicas", 1), st.get("replicas", 0),
                 st.get("readyReplicas", 0), age])
    if kind == "StatefulSet":
        return (["Name", "Ready", "Age"],
                [meta["name"], "%d/%d" % (st.get("readyReplicas", 0), spec.get("replicas", 1)),
                 age])
    if kind == "DaemonSet":
        return (["Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Age"],
                [meta["name"], st.get("desiredNumberScheduled", 0),
                 st.get("currentNumberScheduled", 0), st.get("numberReady", 0),
                 st.get("updatedNumberScheduled", 0), st.get("numberAvailable", 0), age])
    if kind == "Job":
        conds = {c.get("type"): c.get("status") for c in st.get("conditions") or []}
        status = "Complete" if conds.get("Complete") == "True" else \
            "Failed" if conds.get("Failed") == "True" else "Running"
        return (["Name", "Status", "Completions", "Age"],
                [meta["name"], status, "%d/%d" % (st.get("succeeded", 0),
                                                  spec.get("completions", 1)), age])
    if kind == "ConfigMap":
        return (["Name", "Data", "Age"], [meta["name"], len(o.get("data") or {}), age])
    if kind == "Event":
        inv = o.get("involvedObject") or {}
        return (["Last Seen", "Type", "Reason", "Object", "Message"],
                [human_age(o.get("lastTimestamp")), o.get("type", ""), o.get("reason", ""),
                 "%s/%s" % ((inv.get("kind") or "").lower(), inv.get("name", "")),
                 o.get("message", "")])
    if kind == "Namespace":
        return (["Name", "Status", "Age"], [meta["name"], st.get("phase", "Active"), age])
    return (["Name", "Age"], [meta["name"], age])


def to_table(r, objs, include, rv=None):
    names = table_columns(r.kind, objs[0])[0] if objs else \
        table_columns(r.kind, {"metadata": {"name": ""}})[0]
    rows = []
    for o in objs:
        row = {"cells": table_columns(r.kind, o)[1]}
        if include == "Object":
            row["object"] = o
        elif include != "None":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": o["metadata"]}
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": rv} if rv else {},
            "columnDefinitions": [
                {"name": n, "type": "string", "format": "name" if n == "Name" else "",
                 "description": n, "priority": 0} for n in names],
            "rows": rows}


# ----------------------------------------------------------------------------- OpenAPI

def openapi_v3_index(emu):
    paths = {}
    for g, versions in emu.group_versions().items():
        for v in versions:
            p = "api/%s" % v if not g else "apis/%s/%s" % (g, v)
            h = hashlib.sha256(("%s/%s/%d" % (g, v, len(emu.resources))).encode()).hexdigest()
            paths[p] = {"serverRelativeURL": "/openapi/v3/%s?hash=%s" % (p, h.upper())}
    return {"paths": paths}


def openapi_v3_doc(emu, group, version):
    paths = {}
    fv = {"name": "fieldValidation", "in": "query", "schema": {"type": "string",
                                                               "uniqueItems": True}}
    for r in emu.resources.values():
        if r.group != group or r.version != version:
            continue
        base = "/api/%s" % version if not group else "/apis/%s/%s" % (group, version)
        gvk = {"group": group, "version": version, "kind": r.kind}
        item = base + ("/namespaces/{namespace}" if r.namespaced else "") + \
            "/%s/{name}" % r.plural
        op = {"operationId": "patch" + r.kind, "x-kubernetes-action": "patch",
              "x-kubernetes-group-version-kind": gvk, "parameters": [fv],
              "responses": {"200": {"description": "OK"}}}
        paths[item] = {"patch": op,
                       "put": dict(op, operationId="replace" + r.kind,
                                   **{"x-kubernetes-action": "put"})}
        coll = base + ("/namespaces/{namespace}" if r.namespaced else "") + "/" + r.plural
        paths[coll] = {"post": dict(op, operationId="create" + r.kind,
                                    **{"x-kubernetes-action": "post"})}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.33.0"},
            "paths": paths, "components": {"schemas": {}}}


def openapi_v2_doc(emu):
    paths = {}
    for g, versions in emu.group_versions().items():
        for v in versions:
            doc = openapi_v3_doc(emu, g, v)
            paths.update(doc["paths"])
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": "v1.33.0"},
            "paths": paths, "definitions": {}}


# ----------------------------------------------------------------------------- HTTP

def user_agent_manager(ua):
    # real API servers name the manager after the user agent's program ("kubectl-edit", "helm")
    prog = (ua or "unknown").split("/")[0].split(" ")[0]
    return prog[:128] or "unknown"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "dk-kube-emulator"
    emu = None
    token = None
    client_ca = False  # --client-ca: a verified client certificate authenticates
    aggregated = True

    def has_client_cert(self):
        """Whether the TLS client sent a certificate the --client-ca verified."""
        if not self.client_ca:
            return False
        try:
            return bool(self.connection.getpeercert())
        except (AttributeError, ValueError):
            return False

    def log_message(self, fmt, *args):
        log("%s %s" % (self.address_string(), fmt % args))

    # -- responses
    def send_json(self, code, obj, extra=None, content_type="application/json"):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error_status(self, e):
        self.send_json(e.code, e.status())

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            return self.rfile.read(n)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return b""

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        try:
            url = urllib.parse.urlsplit(self.path)
            q = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query,
                                                             keep_blank_values=True).items()}
            body = self.read_body()  # always, so a keep-alive connection stays in step
            if (self.token is not None or self.client_ca) and \
                    url.path not in ("/healthz", "/readyz", "/livez") and \
                    not self.has_client_cert():
                auth = self.headers.get("Authorization", "")
                if self.token is None or auth != "Bearer " + self.token:
                    raise ApiError(401, "Unauthorized", "Unauthorized")
            self.inject_fault(method, url)
            self.route(method, url.path.rstrip("/") or "/", q, body)
        except InjectedFault as f:
            self.send_json(f.err.code, f.err.status(), f.extra)
        except ApiError as e:
            self.send_error_status(e)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as e:  # a bug in the emulator: say so like an API server would
            log("internal error: %r" % e)
            import traceback
            log(traceback.format_exc())
            try:
                self.send_error_status(ApiError(500, "InternalError", "emulator: %r" % e))
            except OSError:
                pass

    def inject_fault(self, method, url):
        """Test hook: rules POSTed to /emulator/faults, e.g. {"path": "/deployments",
        "method": "GET", "code": 429, "count": 2, "retryAfter": 1}: the next `count` requests
        whose path (with query) matches the regular expression fail with that code."""
        if url.path.startswith("/emulator/"):
            return
        target = url.path + ("?" + url.query if url.query else "")
        with self.emu.lock:
            for rule in self.emu.faults:
                if rule.get("count", 1) <= 0:
                    continue
                if rule.get("method") and rule["method"] != method:
                    continue
                if not re.search(rule.get("path", ""), target):
                    continue
                rule["count"] = rule.get("count", 1) - 1
                code = int(rule.get("code", 500))
                reason = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden",
                          404: "NotFound", 409: "Conflict", 410: "Expired", 429: "TooManyRequests",
                          500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout"
                          }.get(code, "InternalError")
                err = ApiError(code, reason, rule.get("message", "emulator: injected %d" % code))
                extra = {}
                if rule.get("retryAfter") is not None:
                    extra["Retry-After"] = str(rule["retryAfter"])
                    err.details = {"retryAfterSeconds": int(rule["retryAfter"])}
                raise InjectedFault(err, extra)

    def route(self, method, path, q, body):
        emu = self.emu
        if path in ("/healthz", "/readyz", "/livez"):
            data = b"ok"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(data)
            return
        if path == "/version":
            return self.send_json(200, KUBE_VERSION)
        if path == "/emulator/compact" and method == "POST":
            emu.compact()
            return self.send_json(200, {"resourceVersion": str(emu.rv)})
        if path == "/emulator/status-times" and method == "GET":
            with emu.lock:
                return self.send_json(200, {"items": [
                    {"group": g, "resource": p, "namespace": ns, "name": n, "time": t}
                    for (g, p, ns, n), t in sorted(emu.status_times.items())
                    if not q.get("resource") or q["resource"] == p]})
        if path == "/emulator/faults":
            if method == "POST":
                rule = json.loads(body or b"{}")
                re.compile(rule.get("path", ""))
                with emu.lock:
                    emu.faults.append(rule)
            elif method == "DELETE":
                with emu.lock:
                    emu.faults.clear()
            with emu.lock:
                return self.send_json(200, {"faults": emu.faults})
        if path == "/openapi/v3":
            with emu.lock:
                return self.send_json(200, openapi_v3_index(emu))
        if path.startswith("/openapi/v3/"):
            parts = path[len("/openapi/v3/"):].split("/")
            with emu.lock:
                if parts[0] == "api" and len(parts) == 2:
                    return self.send_json(200, openapi_v3_doc(emu, "", parts[1]))
                if parts[0] == "apis" and len(parts) == 3 and \
                        parts[2] in emu.group_versions().get(parts[1], []):
                    return self.send_json(200, openapi_v3_doc(emu, parts[1], parts[2]))
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if path == "/openapi/v2":
            if "protobuf" in self.headers.get("Accept", "") and \
                    "json" not in self.headers.get("Accept", ""):
                raise ApiError(406, "NotAcceptable", "only application/json is served")
            with emu.lock:
                return self.send_json(200, openapi_v2_doc(emu))
        if path in ("/api", "/apis") and Handler.aggregated and \
                "as=APIGroupDiscoveryList" in self.headers.get("Accept", "") and \
                "v=v2" in self.headers.get("Accept", ""):
            return self.send_json(200, self.aggregated_discovery(core=(path == "/api")),
                                  content_type="application/json;g=apidiscovery.k8s.io;v=v2;"
                                  "as=APIGroupDiscoveryList")
        if path == "/api":
            return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"],
                                        "serverAddressByClientCIDRs": [
                                            {"clientCIDR": "0.0.0.0/0",
                                             "serverAddress": "127.0.0.1:443"}]})
        if path == "/apis":
            return self.send_json(200, self.group_list())
        segs = path.strip("/").split("/")
        if segs[0] == "api" and len(segs) >= 2:
            group, version, rest = "", segs[1], segs[2:]
        elif segs[0] == "apis" and len(segs) >= 2:
            if len(segs) == 2:
                g = [x for x in self.group_list()["groups"] if x["name"] == segs[1]]
                if not g:
                    raise ApiError(404, "NotFound", "the server could not find the requested "
                                   "resource")
                return self.send_json(200, dict(g[0], kind="APIGroup", apiVersion="v1"))
            group, version, rest = segs[1], segs[2], segs[3:]
        else:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if not rest:
            return self.send_json(200, self.resource_list(group, version))
        return self.resource_request(method, group, version, rest, q, body)

    def aggregated_discovery(self, core):
        """apidiscovery.k8s.io/v2 APIGroupDiscoveryList for /api (core) or /apis."""
        items = []
        with self.emu.lock:
            for g, versions in sorted(self.emu.group_versions().items()):
                if (g == "") != core:
                    continue
                vlist = []
                for v in versions:
                    res = []
                    for r in self.emu.resources.values():
                        if r.group != g or r.version != v:
                            continue
                        gvk = {"group": g, "version": v, "kind": r.kind}
                        d = {"resource": r.plural, "responseKind": gvk,
                             "scope": "Namespaced" if r.namespaced else "Cluster",
                             "singularResource": r.singular, "verbs": ALL_VERBS}
                        if r.short:
                            d["shortNames"] = r.short
                        if r.kind in ("Pod", "Deployment", "StatefulSet", "DaemonSet",
                                      "ReplicaSet", "Job", "CronJob", "Service"):
                            d["categories"] = ["all"]
                        if r.subs:
                            d["subresources"] = [
                                {"subresource": sub,
                                 "responseKind": {"group": "autoscaling", "version": "v1",
                                                  "kind": "Scale"} if sub == "scale" else
                                 ({"group": "", "version": "", "kind": ""} if sub == "log"
                                  else gvk),
                                 "verbs": ["get"] if sub == "log" else ["get", "patch", "update"]}
                                for sub in r.subs]
                        res.append(d)
                    vlist.append({"version": v, "resources": sorted(
                        res, key=lambda x: x["resource"]), "freshness": "Current"})
                items.append({"metadata": {"name": g, "creationTimestamp": None},
                              "versions": vlist})
        return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
                "metadata": {}, "items": items}

    def group_list(self):
        groups = []
        for g, versions in sorted(self.emu.group_versions().items()):
            if not g:
                continue
            vs = [{"groupVersion": "%s/%s" % (g, v), "version": v} for v in versions]
            groups.append({"name": g, "versions": vs, "preferredVersion": vs[0]})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    def resource_list(self, group, version):
        with self.emu.lock:
            rs = [r for r in self.emu.resources.values() if r.group == group and
                  r.version == version]
        if not rs:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        out = []
        for r in rs:
            d = {"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced,
                 "kind": r.kind, "verbs": ALL_VERBS,
                 "storageVersionHash": base64.b64encode(hashlib.sha256(
                     r.qualified.encode()).digest()[:8]).decode()}
            if r.short:
                d["shortNames"] = r.short
            if r.kind in ("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
                          "CronJob", "Service"):
                d["categories"] = ["all"]
            out.append(d)
            for s in r.subs:
                out.append({"name": "%s/%s" % (r.plural, s), "singularName": "",
                            "namespaced": r.namespaced,
                            "kind": "Scale" if s == "scale" else r.kind,
                            "verbs": ["get"] if s == "log" else ["get", "patch", "update"]})
        gv = "%s/%s" % (group, version) if group else version
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
                "resources": out}

    def resource_request(self, method, group, version, rest, q, body):
        emu = self.emu
        ns = name = sub = None
        if rest[0] == "namespaces" and len(rest) >= 3 and \
                emu.find(group, version, rest[2]) is not None and \
                emu.find(group, version, rest[2]).namespaced:
            ns, plural = rest[1], rest[2]
            name = rest[3] if len(rest) > 3 else None
            sub = rest[4] if len(rest) > 4 else None
        else:
            plural = rest[0]
            name = rest[1] if len(rest) > 1 else None
            sub = rest[2] if len(rest) > 2 else None
        r = emu.find(group, version, plural)
        if r is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if ns is None and r.namespaced and name is not None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if sub and sub not in r.subs and not (r.kind == "Namespace" and sub == "finalize"):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        q["_ua_manager"] = user_agent_manager(self.headers.get("User-Agent"))
        if q.get("dryRun") and q["dryRun"] != "All":
            raise ApiError(400, "BadRequest", "dryRun: Unsupported value: %r" % q["dryRun"])
        if method == "GET" and name is None:
            if q.get("watch") in ("true", "1"):
                return self.watch(r, ns, q)
            lst = emu.list(r, ns, q)
            if self.wants_table():
                t = to_table(r, lst["items"], q.get("includeObject", "Metadata"),
                             lst["metadata"].get("resourceVersion"))
                if lst["metadata"].get("continue"):
                    t["metadata"]["continue"] = lst["metadata"]["continue"]
                return self.send_json(200, t)
            return self.send_json(200, lst)
        if method == "GET":
            with emu.lock:
                obj = copy.deepcopy(emu.get(r, ns, name))
            if sub == "log":
                return self.pod_log(obj, q)
            if sub == "scale":
                return self.send_json(200, scale_of(r, obj))
            if not sub and self.wants_table():
                return self.send_json(200, to_table(r, [obj], q.get("includeObject", "Metadata"),
                                                    obj["metadata"].get("resourceVersion")))
            return self.send_json(200, obj)
        if method == "POST" and name is None:
            obj = self.decode(body)
            return self.send_json(201, emu.create(r, ns, obj, q))
        if method == "PUT" and name:
            obj = self.decode(body)
            return self.send_json(200, emu.update(r, ns, name, obj, q,
                                                  sub="status" if sub == "status" else None))
        if method == "PATCH" and name:
            ctype = self.headers.get("Content-Type", "")
            return self.send_json(200, emu.patch(r, ns, name, ctype, body, q,
                                                 sub="status" if sub == "status" else None))
        if method == "DELETE" and name:
            opts = self.decode(body) if body.strip() else {}
            obj = emu.delete(r, ns, name, q, opts)
            return self.send_json(200, obj)
        if method == "DELETE":
            with emu.lock:
                lst = emu.list(r, ns, q)
                for o in lst["items"]:
                    emu.delete(r, o["metadata"].get("namespace"), o["metadata"]["name"], q, {})
            return self.send_json(200, lst)
        raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the "
                       "requested resource")

    def decode(self, body):
        ctype = self.headers.get("Content-Type", "")
        if "protobuf" in ctype:
            return decode_protobuf(body)
        if "cbor" in ctype:
            raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an "
                           "unknown format - accepted media types include: application/json, "
                           "application/yaml")
        try:
            return parse_yaml_or_json(body)
        except (ValueError, IndexError) as e:
            raise ApiError(400, "BadRequest", "the body of the request could not be decoded: %s"
                           % e)

    def pod_log(self, pod, q):
        """pods/log: what the container wrote (pod_log_text).  follow=true streams it, then
        whatever more the container writes, until the Pod is gone, its phase is no longer
        Running, or the client goes away."""
        emu = self.emu
        meta, spec = pod["metadata"], pod.get("spec") or {}
        names = [c.get("name") for c in (spec.get("containers") or []) +
                 (spec.get("initContainers") or [])]
        c = q.get("container")
        if not c:
            main = [x.get("name") for x in spec.get("containers") or []]
            if len(main) > 1:
                raise ApiError(400, "BadRequest", "a container name must be specified for pod "
                               "%s, choose one of: [%s]" % (meta["name"], " ".join(main)))
            c = main[0] if main else ""
        elif c not in names:
            raise ApiError(400, "BadRequest", "container %s is not valid for pod %s"
                           % (c, meta["name"]))
        for s in (pod.get("status") or {}).get("containerStatuses") or []:
            w = (s.get("state") or {}).get("waiting")
            if s.get("name") == c and w and not s.get("restartCount"):
                raise ApiError(400, "BadRequest", 'container "%s" in pod "%s" is waiting to '
                               'start: %s' % (c, meta["name"], w.get("reason", "")))
        if q.get("follow") not in ("true", "1"):
            with emu.lock:
                text = pod_log_text(emu, pod, c).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        key, uid, sent = (meta.get("namespace"), meta["name"]), meta["uid"], ""
        try:
            while True:
                with emu.lock:
                    for attempt in (0, 1):
                        cur = emu.objects[("", "pods")].get(key)
                        gone = cur is None or cur["metadata"]["uid"] != uid
                        text = sent if gone else pod_log_text(emu, cur, c)
                        done = gone or (cur.get("status") or {}).get("phase") != "Running"
                        if attempt or done or text != sent:
                            break
                        emu.cond_for("", "pods").wait(1.0)
                new = text[len(sent):] if text.startswith(sent) else text
                sent = text
                if new:
                    data = new.encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    self.wfile.flush()
                if done:
                    break
                # a client waiting for the answer sends nothing: readable means it has gone
                if select.select([self.connection], [], [], 0)[0]:
                    self.close_connection = True
                    return
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    def wants_table(self):
        return "as=Table" in self.headers.get("Accept", "")

    # -- watch
    def chunk(self, obj):
        conv = getattr(self, "table_of", None)
        if conv and obj.get("type") in ("ADDED", "MODIFIED", "DELETED"):
            obj = {"type": obj["type"], "object": conv(obj["object"])}
        data = (json.dumps(obj) + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def watch(self, r, ns, q):
        emu = self.emu
        self.table_of = None
        if self.wants_table():
            include = q.get("includeObject", "Metadata")
            self.table_of = lambda o: to_table(r, [o], include,
                                               o["metadata"].get("resourceVersion"))
        lm = label_matcher(q.get("labelSelector"))
        fm = field_matcher(q.get("fieldSelector"))

        def match(o):
            return o is not None and (not ns or o["metadata"].get("namespace") == ns) and \
                lm(o["metadata"].get("labels")) and fm(o)

        timeout = float(q.get("timeoutSeconds") or 1800)
        deadline = time.monotonic() + timeout
        bookmarks = q.get("allowWatchBookmarks") in ("true", "1")
        initial = q.get("sendInitialEvents") in ("true", "1")
        rv = q.get("resourceVersion") or ""
        with emu.lock:
            cond = emu.cond_for(r.group, r.plural)
            if initial and not bookmarks:
                raise ApiError(422, "Invalid", "sendInitialEvents requires allowWatchBookmarks")
            if rv not in ("", "0") and not rv.isdigit():
                raise ApiError(400, "BadRequest", "invalid resourceVersion %r" % rv)
            start = emu.rv
            initial_objs = []
            if initial or rv in ("", "0"):
                initial_objs = [copy.deepcopy(o) for o in emu.list(r, ns, q)["items"]]
                pos = len(emu.events)
            else:
                since = int(rv)
                start = since
                if since > emu.rv:  # e.g. a client resuming against a restarted emulator
                    raise ApiError(504, "Timeout", "Too large resource version: %d, current: %d"
                                   % (since, emu.rv), {"causes": [
                                       {"reason": "ResourceVersionTooLarge",
                                        "message": "Too large resource version"}],
                                       "retryAfterSeconds": 1})
                if since < emu.oldest_rv - 1:
                    pos = None
                else:
                    pos = bisect.bisect_right(emu.event_rvs, since)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        try:
            if pos is None:
                self.chunk({"type": "ERROR", "object": ApiError(
                    410, "Expired", "too old resource version: %s (%d)" % (rv, emu.oldest_rv)
                ).status()})
                self.wfile.write(b"0\r\n\r\n")
                return
            for o in initial_objs:
                self.chunk({"type": "ADDED", "object": o})
            if initial:
                self.chunk({"type": "BOOKMARK", "object": {
                    "kind": r.kind, "apiVersion": r.gv,
                    "metadata": {"resourceVersion": str(start), "annotations": {
                        "k8s.io/initial-events-end": "true"}}}})
            last_rv = start
            next_bookmark = time.monotonic() + Emulator.bookmark_interval
            while True:
                out = []
                with emu.lock:
                    while pos >= len(emu.events):
                        left = min(deadline, next_bookmark) - time.monotonic()
                        if left <= 0:
                            break
                        cond.wait(left)
                    # history trimmed under us: position by resourceVersion again
                    pos = bisect.bisect_right(emu.event_rvs, last_rv)
                    while pos < len(emu.events):
                        ev = emu.events[pos]
                        pos += 1
                        last_rv = ev[0]
                        if (ev[1], ev[2]) != (r.group, r.plural):
                            continue
                        etype, obj, prev = ev[3], ev[4], ev[5]
                        now_m, prev_m = match(obj), match(prev)
                        if etype == "MODIFIED" and now_m and not prev_m:
                            etype = "ADDED"
                        elif etype == "MODIFIED" and prev_m and not now_m:
                            etype = "DELETED"
                        elif not now_m:
                            continue
                        out.append({"type": etype, "object": obj})
                for ev in out:
                    self.chunk(ev)
                now = time.monotonic()
                if now >= deadline:
                    break
                if now >= next_bookmark:
                    if bookmarks:
                        self.chunk({"type": "BOOKMARK", "object": {
                            "kind": r.kind, "apiVersion": r.gv,
                            "metadata": {"resourceVersion": str(max(last_rv, start))}}})
                    next_bookmark = now + Emulator.bookmark_interval
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True


def scale_of(r, obj):
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: obj["metadata"].get(k) for k in ("name", "namespace", "uid",
                                                              "resourceVersion",
                                                              "creationTimestamp")},
            "spec": {"replicas": obj.get("spec", {}).get("replicas", 1)},
            "status": {"replicas": (obj.get("status") or {}).get("replicas", 0)}}


Emulator.bookmark_interval = 2.0


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main(argv=None):
    ap = argparse.ArgumentParser(description="test-only Kubernetes API emulator")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 = a free port (printed on stdout)")
    ap.add_argument("--port-file", help="write the chosen port to this file once listening")
    ap.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (chain)")
    ap.add_argument("--tls-key", help="PEM private key for --tls-cert")
    ap.add_argument("--token", help="require 'Authorization: Bearer TOKEN' (default: accept all)")
    ap.add_argument("--client-ca", help="with --tls-cert: accept client certificates signed by "
                    "this CA (PEM); without one, requests need --token's token (401)")
    ap.add_argument("--parent-pid", type=int, help="exit once this process is gone")
    ap.add_argument("--log", help="append a request log to this file")
    ap.add_argument("--no-aggregated-discovery", action="store_true",
                    help="answer /api and /apis with legacy discovery only")
    ap.add_argument("--bookmark-interval", type=float, default=2.0,
                    help="seconds between watch BOOKMARK events (default 2)")
    ap.add_argument("--controller-interval", type=float, default=0.1)
    ap.add_argument("--start-resource-version", type=int, default=1,
                    help="first resourceVersion (a restarted emulator can start above the last)")
    a = ap.parse_args(argv)
    if a.log:
        Emulator.log_file = open(a.log, "a")
    Emulator.bookmark_interval = a.bookmark_interval
    emu = Emulator(a.start_resource_version)
    Handler.emu = emu
    Handler.token = a.token
    Handler.client_ca = bool(a.client_ca)
    Handler.aggregated = not a.no_aggregated_discovery
    srv = Server((a.host, a.port), Handler)
    if a.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        if a.client_ca:
            # a client certificate signed by this CA authenticates like a valid token
            ctx.load_verify_locations(a.client_ca)
            ctx.verify_mode = ssl.CERT_OPTIONAL
        # handshake in the handler thread, so a silent client cannot stall accept()
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                     do_handshake_on_connect=False)
    port = srv.server_address[1]
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, a.port_file)
    print(port, flush=True)
    Controller(emu, a.controller_interval).start()
    if a.parent_pid:
        def watch_parent():
            while True:
                try:
                    os.kill(a.parent_pid, 0)
                except ProcessLookupError:
                    os._exit(0)
                except PermissionError:
                    pass
                time.sleep(1)
        threading.Thread(target=watch_parent, daemon=True).start()
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
