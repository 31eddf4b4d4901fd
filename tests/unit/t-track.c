/* Unit tests for the tracking rules (common/track_rules.c): object JSON in, verdict out. */
#include "dk/track.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dk/json.h"
#include "tap.h"

/* The verdict for kind and a JSON object given with ' for ". */
static struct dk_track_verdict verdict(const char *kind, const char *text)
{
    struct dk_track_verdict v;
    struct dk_err err = DK_ERR_INIT;
    char *s = strdup(text), *p;
    cJSON *j = NULL;

    for (p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    if (dk_json_parse(s, strlen(s), "t", &j, &err) < 0)
        printf("# parse failed: %s\n", err.msg);
    dk_track_rules(kind, j, &v);
    cJSON_Delete(j);
    free(s);
    return v;
}

static cJSON *obj(const char *text)
{
    struct dk_err err = DK_ERR_INIT;
    char *s = strdup(text), *p;
    cJSON *j = NULL;

    for (p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    if (dk_json_parse(s, strlen(s), "t", &j, &err) < 0)
        printf("# parse failed: %s\n", err.msg);
    free(s);
    return j;
}

#define STATE(v)                                                                                   \
    ((v).state == DK_TRACK_READY ? "ready" : (v).state == DK_TRACK_FAILED ? "failed" : "waiting")

static void check(const char *kind, const char *json, const char *state, const char *info,
                  const char *what)
{
    struct dk_track_verdict v = verdict(kind, json);

    is_str(STATE(v), state, "%s: %s (state)", kind, what);
    if (info)
        is_str(v.info, info, "%s: %s (info)", kind, what);
}

static void test_deployment(void)
{
    check(
        "Deployment",
        "{'metadata':{'name':'web','generation':2},'spec':{'replicas':2},"
        "'status':{'observedGeneration':1,'replicas':2,'updatedReplicas':2,'availableReplicas':2}}",
        "waiting", "observed generation 1 should be >= 2", "an old generation observed");
    check(
        "Deployment",
        "{'metadata':{'name':'web','generation':2},'spec':{'replicas':3},"
        "'status':{'observedGeneration':2,'replicas':4,'updatedReplicas':1,'availableReplicas':3}}",
        "waiting", "up-to-date 1->3", "new pods coming");
    check(
        "Deployment",
        "{'metadata':{'name':'web','generation':2},'spec':{'replicas':3},"
        "'status':{'observedGeneration':2,'replicas':4,'updatedReplicas':3,'availableReplicas':3}}",
        "waiting", "replicas 4->3", "old pods going");
    check(
        "Deployment",
        "{'metadata':{'name':'web','generation':2},'spec':{'replicas':3},"
        "'status':{'observedGeneration':2,'replicas':3,'updatedReplicas':3,'availableReplicas':2}}",
        "waiting", "available 2->3", "not all available");
    check(
        "Deployment",
        "{'metadata':{'name':'web','generation':2},'spec':{'replicas':3},"
        "'status':{'observedGeneration':2,'replicas':3,'updatedReplicas':3,'availableReplicas':3}}",
        "ready", "", "all there");
    check(
        "Deployment",
        "{'metadata':{'name':'web','generation':1},"
        "'status':{'observedGeneration':1,'replicas':1,'updatedReplicas':1,'availableReplicas':1}}",
        "ready", NULL, "replicas default to 1");
    check("Deployment",
          "{'metadata':{'name':'web','generation':1},'spec':{'replicas':1},'status':{"
          "'observedGeneration':1,'conditions':[{'type':'Progressing','status':'False',"
          "'reason':'ProgressDeadlineExceeded'}]}}",
          "failed", "deployment \"web\" exceeded its progress deadline", "progress deadline");
}

/* A StatefulSet of 2 with extra spec members, ready/updated counts and an update revision. */
static void sts(char *buf, size_t n, const char *spec, int ready, int updated, const char *rev)
{
    snprintf(buf, n,
             "{'metadata':{'generation':1},'spec':{'replicas':2%s},'status':{"
             "'observedGeneration':1,'readyReplicas':%d,'updatedReplicas':%d,"
             "'currentRevision':'db-1','updateRevision':'%s'}}",
             spec, ready, updated, rev);
}

static void test_statefulset(void)
{
    char buf[512];

    check("StatefulSet", "{'metadata':{'generation':1},'spec':{'replicas':1},'status':{}}",
          "waiting", "observed generation 0 should be >= 1", "nothing observed yet");
    sts(buf, sizeof(buf), "", 1, 2, "db-1");
    check("StatefulSet", buf, "waiting", "ready 1->2", "one not ready");
    sts(buf, sizeof(buf), "", 2, 2, "db-2");
    check("StatefulSet", buf, "waiting", "revision db-1->db-2", "rolling update under way");
    sts(buf, sizeof(buf), "", 2, 2, "db-1");
    check("StatefulSet", buf, "ready", "", "ready and current");
    sts(buf, sizeof(buf),
        ",'updateStrategy':{'type':'RollingUpdate','rollingUpdate':{'partition':1}}", 2, 1, "db-2");
    check("StatefulSet", buf, "ready", NULL, "partition: the pods above it are updated");
    sts(buf, sizeof(buf), ",'updateStrategy':{'type':'OnDelete'}", 2, 0, "db-2");
    check("StatefulSet", buf, "waiting",
          "up-to-date 0->2: user should delete old pods manually now!",
          "OnDelete waits for the user");
}

static void test_daemonset(void)
{
    check("DaemonSet", "{'metadata':{'generation':1},'status':{'observedGeneration':1}}", "waiting",
          "no pods scheduled yet", "no desired number yet");
    check("DaemonSet",
          "{'metadata':{'generation':1},'status':{'observedGeneration':1,"
          "'desiredNumberScheduled':3,'updatedNumberScheduled':3,'numberAvailable':2}}",
          "waiting", "available 2->3", "one node not available");
    check("DaemonSet",
          "{'metadata':{'generation':1},'status':{'observedGeneration':1,"
          "'desiredNumberScheduled':3,'updatedNumberScheduled':3,'numberAvailable':3}}",
          "ready", "", "all nodes");
    check("DaemonSet",
          "{'metadata':{'generation':2},'spec':{'updateStrategy':{'type':'OnDelete'}},'status':{}}",
          "ready", NULL, "OnDelete: ready at once");
}

static void test_job_pod(void)
{
    check("Job", "{'status':{'active':1}}", "waiting", "active 1, succeeded 0, failed 0",
          "running");
    check("Job", "{'status':{'succeeded':1,'conditions':[{'type':'Complete','status':'True'}]}}",
          "ready", NULL, "complete");
    check("Job",
          "{'status':{'failed':1,'conditions':[{'type':'Failed','status':'True',"
          "'reason':'BackoffLimitExceeded','message':'Job has reached the specified backoff "
          "limit'}]}}",
          "failed", "job failed: BackoffLimitExceeded: Job has reached the specified backoff limit",
          "failed");
    check("Pod",
          "{'status':{'phase':'Running','conditions':[{'type':'Ready','status':'True'}],"
          "'containerStatuses':[{'name':'a','ready':true,'state':{'running':{}}}]}}",
          "ready", "Running", "ready");
    check("Pod",
          "{'status':{'phase':'Running','conditions':[{'type':'Ready','status':'False'}],"
          "'containerStatuses':[{'name':'a','ready':false,'restartCount':3,"
          "'state':{'waiting':{'reason':'CrashLoopBackOff'}}}]}}",
          "waiting", "CrashLoopBackOff", "crash looping (the error budget decides)");
    check("Pod", "{'status':{'phase':'Succeeded'}}", "ready", "Succeeded", "succeeded");
    check("Pod",
          "{'status':{'phase':'Failed','containerStatuses':[{'name':'a','state':{'terminated':"
          "{'exitCode':2}}}]}}",
          "failed", "pod failed: ExitCode:2", "failed");
    check("Pod",
          "{'status':{'phase':'Pending','initContainerStatuses':[{'name':'init','state':"
          "{'terminated':{'reason':'Error','exitCode':1}}}]}}",
          "failed", "init container init failed: Error (exit code 1)", "init container error");
    check("Pod",
          "{'status':{'phase':'Pending','initContainerStatuses':[{'name':'i1','state':"
          "{'terminated':{'reason':'Completed','exitCode':0}}},{'name':'i2','state':{'running':{}}}"
          "]}}",
          "waiting", "Init:1/2", "init containers running");
    check("Pod",
          "{'metadata':{'deletionTimestamp':'2026-01-01T00:00:00Z'},'status':{'phase':'Running'}}",
          "waiting", "Terminating", "terminating");
}

static void test_generic(void)
{
    check("Widget", "{'spec':{}}", "ready", "present", "no status: ready when present");
    check("Widget",
          "{'status':{'conditions':[{'type':'Ready','status':'False','message':'warming up'}]}}",
          "waiting", "status.conditions[type=Ready].status=False: warming up", "Ready=False");
    check("Widget",
          "{'status':{'conditions':[{'type':'Other','status':'False'},"
          "{'type':'Available','status':'True'}]}}",
          "ready", "status.conditions[type=Available].status=True", "Available=True");
    check("Certificate", "{'status':{'phase':'In-Progress'}}", "waiting",
          "status.phase=In-Progress", "a pending phase in kebab case");
    check("Certificate", "{'status':{'currentState':'SUCCEEDED'}}", "ready",
          "status.currentState=SUCCEEDED", "a ready state in upper case");
    check("Certificate", "{'status':{'phase':'Errored'}}", "failed", "status.phase=Errored",
          "a failed phase");
    check("Certificate", "{'status':{'phase':'Sleeping','health':'Red'}}", "failed",
          "status.health=Red", "an unknown phase value is skipped; health red");
    check("Certificate", "{'status':{'state':'Valid'}}", "ready", "status.state=Valid",
          "state valid");
}

static void test_signals(void)
{
    char why[256];
    cJSON *c;
    struct {
        const char *json;
        enum dk_track_event want;
        const char *what;
    } evs[] = {
        {"{'reason':'FailedScheduling','message':'0/1 nodes are available'}", DK_TRACK_EV_FAILURE,
         "FailedScheduling"},
        {"{'reason':'FailedCreate','message':'quota'}", DK_TRACK_EV_FAILURE, "FailedCreate"},
        {"{'reason':'FailedDelete','message':'x'}", DK_TRACK_EV_INFO, "FailedDelete"},
        {"{'reason':'RecreatingFailedPod','message':'x'}", DK_TRACK_EV_INFO, "RecreatingFailedPod"},
        {"{'reason':'Unhealthy','message':'Readiness probe failed: HTTP probe failed'}",
         DK_TRACK_EV_READINESS, "readiness probe"},
        {"{'reason':'Killing','message':'Container web failed liveness probe, will be restarted'}",
         DK_TRACK_EV_RESTART, "liveness probe"},
        {"{'reason':'BackOff','message':'Back-off restarting failed container'}", DK_TRACK_EV_INFO,
         "BackOff is no failure of its own"},
        {"{'reason':'Started','message':'Started container web'}", DK_TRACK_EV_INFO, "Started"},
    };
    size_t i;

    for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
        c = obj(evs[i].json);
        is_int(dk_track_event_class(c), evs[i].want, "event class: %s", evs[i].what);
        cJSON_Delete(c);
    }
    c = obj("{'name':'web','state':{'waiting':{'reason':'ImagePullBackOff','message':"
            "'Back-off pulling image \\'x\\''}}}");
    ok(dk_track_container_failure(c, why, sizeof(why)) == 1, "container failure: ImagePullBackOff");
    is_str(why, "ImagePullBackOff: Back-off pulling image \"x\"", "container failure: reason");
    cJSON_Delete(c);
    c = obj("{'name':'web','state':{'waiting':{'reason':'ContainerCreating'}}}");
    ok(dk_track_container_failure(c, why, sizeof(why)) == 0, "container failure: creating is not");
    cJSON_Delete(c);
    c = obj("{'name':'web','state':{'waiting':{'reason':'CrashLoopBackOff'}}}");
    ok(dk_track_container_failure(c, why, sizeof(why)) == 1 && strcmp(why, "CrashLoopBackOff") == 0,
       "container failure: CrashLoopBackOff without a message");
    cJSON_Delete(c);
}

static void test_probe_window(void)
{
    cJSON *c;

    c = obj("{'name':'web'}");
    ok(dk_track_probe_ignore(c) == 0, "probe window: no readiness probe, none");
    cJSON_Delete(c);
    /* defaults: period 10, initial 0, timeout 1, failure 3, success 1:
     * (10 + 0) + 1 + (3 + 1 - 3) * 10 + 10/2 + 1 = 27 */
    c = obj("{'name':'web','readinessProbe':{'httpGet':{'port':80}}}");
    ok(fabs(dk_track_probe_ignore(c) - 27) < 1e-9, "probe window: defaults give 27 s (%g)",
       dk_track_probe_ignore(c));
    cJSON_Delete(c);
    c = obj("{'name':'web','readinessProbe':{'failureThreshold':1}}");
    ok(dk_track_probe_ignore(c) == 0, "probe window: failureThreshold 1 is never ignored");
    cJSON_Delete(c);
    /* a long startup probe: just one readiness period (2) + 1 + (5+1-3)*2 + 1 + 1 = 11 */
    c = obj("{'name':'web','readinessProbe':{'periodSeconds':2,'failureThreshold':5},"
            "'startupProbe':{'periodSeconds':10,'failureThreshold':30}}");
    ok(fabs(dk_track_probe_ignore(c) - 11) < 1e-9, "probe window: after a startup probe (%g)",
       dk_track_probe_ignore(c));
    cJSON_Delete(c);
}

static void test_duration(void)
{
    ok(dk_track_duration("90s") == 90, "duration: 90s");
    ok(dk_track_duration("1m30s") == 90, "duration: 1m30s");
    ok(fabs(dk_track_duration("500ms") - 0.5) < 1e-9, "duration: 500ms");
    ok(dk_track_duration("2h") == 7200, "duration: 2h");
    ok(dk_track_duration("15") == 15, "duration: a bare number is seconds");
    ok(dk_track_duration("soon") < 0, "duration: garbage");
    ok(dk_track_duration("5x") < 0, "duration: unknown unit");
    ok(dk_track_duration("") < 0, "duration: empty");
}

int main(void)
{
    test_deployment();
    test_statefulset();
    test_daemonset();
    test_job_pod();
    test_generic();
    test_signals();
    test_probe_window();
    test_duration();
    return tap_done();
}
