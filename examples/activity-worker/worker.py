#!/usr/bin/env python3
"""An activity worker: long-polls GetActivityTask on a Baton server (or AWS
Step Functions: it speaks the same API), reviews each order, heartbeats,
and answers with SendTaskSuccess or SendTaskFailure. Standard library only;
it can run on any machine that reaches the server.

Usage: worker.py ENDPOINT ACTIVITY_ARN [--max-tasks N]
Orders up to 1,000 are approved; larger ones are rejected with the error
Review.Rejected (the workflow catches it).
"""
import json
import sys
import urllib.request


def call(endpoint, action, body, timeout=70):
    req = urllib.request.Request(
        endpoint, data=json.dumps(body).encode(),
        headers={"Content-Type": "application/x-amz-json-1.0",
                 "X-Amz-Target": "AWSStepFunctions." + action})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"{}")


def review(order):
    if order["amount"] > 1000:
        return None, "amount %d is above the 1000 limit" % order["amount"]
    return {"orderId": order["orderId"], "approved": True,
            "reviewer": "worker.py"}, None


def main():
    endpoint, activity = sys.argv[1], sys.argv[2]
    left = int(sys.argv[4]) if len(sys.argv) > 4 else -1
    while left != 0:
        task = call(endpoint, "GetActivityTask",
                    {"activityArn": activity, "workerName": "example-worker"})
        token = task.get("taskToken")
        if not token:
            continue  # the long poll ended without a task: poll again
        order = json.loads(task["input"])
        call(endpoint, "SendTaskHeartbeat", {"taskToken": token})
        result, why = review(order)
        if result is not None:
            call(endpoint, "SendTaskSuccess",
                 {"taskToken": token, "output": json.dumps(result)})
        else:
            call(endpoint, "SendTaskFailure",
                 {"taskToken": token, "error": "Review.Rejected", "cause": why})
        left -= 1


if __name__ == "__main__":
    main()
