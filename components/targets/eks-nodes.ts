import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import type * as kms from "@pulumi/aws/kms";
import * as pulumi from "@pulumi/pulumi";
import type { EksNodeGroupArgs } from "./eks";
import { assumedBy, managedPolicy } from "./eks-identity";

// The nodes of a cluster without Auto Mode: managed node groups, and the add-ons EKS runs on them.

export function eksNodeGroups(
    name: string,
    groups: EksNodeGroupArgs[],
    cluster: eks.Cluster,
    nodeRole: iam.Role,
    key: kms.Key,
    subnets: ec2.Subnet[],
    roleAttachments: pulumi.Resource[],
    opts: pulumi.CustomResourceOptions,
): eks.NodeGroup[] {
    return groups.map((group) => {
        // IMDSv2 only, one hop: a pod cannot borrow the node's role from the metadata service.
        const template = new ec2.LaunchTemplate(
            `${name}-${group.name}`,
            {
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                blockDeviceMappings: [
                    {
                        deviceName: "/dev/xvda",
                        ebs: { volumeSize: group.diskSizeGb, volumeType: "gp3", encrypted: "true", kmsKeyId: key.arn, deleteOnTermination: "true" },
                    },
                ],
                updateDefaultVersion: true,
            },
            opts,
        );
        return new eks.NodeGroup(
            `${name}-${group.name}`,
            {
                clusterName: cluster.name,
                nodeRoleArn: nodeRole.arn,
                subnetIds: subnets.map((subnet) => subnet.id),
                instanceTypes: group.instanceTypes,
                capacityType: group.capacityType,
                amiType: "AL2023_x86_64_STANDARD",
                scalingConfig: { minSize: group.minSize, maxSize: group.maxSize, desiredSize: group.desiredSize },
                updateConfig: { maxUnavailable: 1 },
                launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
            },
            // The autoscaler owns the size once the group runs.
            { ...opts, dependsOn: roleAttachments, ignoreChanges: ["scalingConfig.desiredSize"] },
        );
    });
}

export function eksAddons(name: string, cluster: eks.Cluster, nodes: eks.NodeGroup[], opts: pulumi.CustomResourceOptions): eks.Addon[] {
    const addon = (addonName: string, extra: Partial<eks.AddonArgs> = {}, needsNodes = false) =>
        new eks.Addon(
            `${name}-${addonName}`,
            { clusterName: cluster.name, addonName, resolveConflictsOnUpdate: "OVERWRITE", ...extra },
            { ...opts, dependsOn: needsNodes ? nodes : [] },
        );
    const podIdentityAgent = addon("eks-pod-identity-agent");
    const ebsRole = new iam.Role(`${name}-ebs-csi`, { assumeRolePolicy: assumedBy("pods.eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]) }, opts);
    new iam.RolePolicyAttachment(`${name}-ebs-csi`, { role: ebsRole.name, policyArn: managedPolicy("service-role/AmazonEBSCSIDriverPolicy") }, opts);
    return [
        addon("vpc-cni"),
        addon("kube-proxy"),
        podIdentityAgent,
        addon("coredns", {}, true),
        addon("aws-ebs-csi-driver", { podIdentityAssociations: [{ roleArn: ebsRole.arn, serviceAccount: "ebs-csi-controller-sa" }] }, true),
    ];
}
