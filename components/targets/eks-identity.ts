import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import type { Provider as AwsProvider } from "@pulumi/aws/provider";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadIdentityHook } from "./target";

export const assumedBy = (service: string, actions = ["sts:AssumeRole"]) =>
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: actions }] });
export const managedPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/**
 * EKS Pod Identity: per workload an IAM role that only the Pod Identity agent may assume, bound
 * to the workload's ServiceAccount by an association. The ServiceAccount and pods carry nothing.
 */
export function podIdentity(cluster: eks.Cluster, aws: AwsProvider): WorkloadIdentityHook {
    return (name, request, parent, aliases) => {
        const opts = { parent, provider: aws, aliases };
        const role = new iam.Role(`${name}-identity`, { assumeRolePolicy: assumedBy("pods.eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]) }, opts);
        request.permissions.forEach((permission, index) => {
            if (permission.cloud !== "aws") {
                throw new pulumi.ResourceError(`${name}: a ${permission.cloud} permission cannot be granted on EKS`, parent);
            }
            (permission.policyArns ?? []).forEach(
                (policyArn, n) => new iam.RolePolicyAttachment(`${name}-identity-${index}-${n}`, { role: role.name, policyArn }, opts),
            );
            (permission.inlinePolicies ?? []).forEach((policy, n) => new iam.RolePolicy(`${name}-identity-${index}-${n}`, { role: role.id, policy }, opts));
        });
        new eks.PodIdentityAssociation(
            `${name}-identity`,
            { clusterName: cluster.name, namespace: request.namespace, serviceAccount: request.serviceAccountName, roleArn: role.arn },
            opts,
        );
        return { serviceAccountAnnotations: {}, podLabels: {} };
    };
}
