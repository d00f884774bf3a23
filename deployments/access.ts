import type * as service from "@pulumi/pulumiservice";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import type { AwsAccess, AzureAccess, GcpAccess, StackEntry } from "./settings";

// How a deployment of each target kind reaches its cloud and cluster without a long-lived key:
// an OIDC token of Pulumi Cloud exchanged for short-lived credentials (AWS role, GCP workload
// identity, Azure federated credential), or, for a cluster that exists already, its kubeconfig
// kept as a secret. The same access goes into the stack's ESC environment, for `pulumi up` run
// anywhere else.

/** The access each target kind needs, named by its key in a stack's settings. */
export const accessKeyOfTarget: Record<string, AccessKey | undefined> = { eks: "aws", gke: "gcp", aks: "azure", existing: "kubeconfig" };
export type AccessKey = "aws" | "gcp" | "azure" | "kubeconfig";
export const accessKeys: AccessKey[] = ["aws", "gcp", "azure", "kubeconfig"];

export type StackAccess =
    | { kind: "aws"; aws: AwsAccess; sessionName: string }
    | { kind: "gcp"; gcp: GcpAccess }
    | { kind: "azure"; azure: AzureAccess }
    /** A cluster that exists: its kubeconfig from the settings, or none where the stack file holds it. */
    | { kind: "kubeconfig"; kubeconfig?: pulumi.Output<string> };

/** The access of a stack entry whose target kind needs `key` (checked before). */
export function stackAccess(entry: StackEntry, key: AccessKey): StackAccess {
    switch (key) {
        case "aws":
            return { kind: "aws", aws: entry.aws!, sessionName: entry.aws!.sessionName ?? `appstack-${entry.name}`.slice(0, 64) };
        case "gcp":
            return { kind: "gcp", gcp: entry.gcp! };
        case "azure":
            return { kind: "azure", azure: entry.azure! };
        case "kubeconfig":
            return { kind: "kubeconfig", kubeconfig: entry.kubeconfig === undefined ? undefined : pulumi.secret(entry.kubeconfig) };
    }
}

/** Where the kubeconfig of an existing cluster is written in the deployment's executor. */
const kubeconfigVariable = "APPSTACK_KUBECONFIG";

/** The parts of a stack's deployment settings that give the run its access. */
export function deploymentAccess(access: StackAccess): {
    oidc?: service.types.input.OperationContextOIDCArgs;
    environmentVariables: Record<string, pulumi.Input<string>>;
    preRunCommands: string[];
} {
    switch (access.kind) {
        case "aws":
            return {
                oidc: { aws: { roleARN: access.aws.roleArn, sessionName: access.sessionName, duration: access.aws.duration } },
                environmentVariables: {},
                preRunCommands: [],
            };
        case "gcp":
            return {
                oidc: {
                    gcp: {
                        projectId: access.gcp.projectNumber,
                        workloadPoolId: access.gcp.workloadPoolId,
                        providerId: access.gcp.providerId,
                        serviceAccount: access.gcp.serviceAccount,
                        tokenLifetime: access.gcp.tokenLifetime,
                    },
                },
                environmentVariables: {},
                preRunCommands: [],
            };
        case "azure":
            // kubelogin (which the AKS provider's kubeconfig runs) takes the same federated token.
            return {
                oidc: { azure: { clientId: access.azure.clientId, tenantId: access.azure.tenantId, subscriptionId: access.azure.subscriptionId } },
                environmentVariables: { AAD_LOGIN_METHOD: "workloadidentity" },
                preRunCommands: [],
            };
        case "kubeconfig":
            if (access.kubeconfig === undefined) {
                return { environmentVariables: {}, preRunCommands: [] };
            }
            // The default kubeconfig path, so that the stack's target.context finds its context there.
            return {
                environmentVariables: { [kubeconfigVariable]: access.kubeconfig },
                preRunCommands: [
                    `install -d -m 700 "$HOME/.kube" && printf '%s' "$${kubeconfigVariable}" > "$HOME/.kube/config" && chmod 600 "$HOME/.kube/config"`,
                ],
            };
    }
}

/** The definition of the stack's ESC environment: the same access, opened by whoever imports it. */
export function environmentDefinition(access: StackAccess): pulumi.Output<string> {
    switch (access.kind) {
        case "aws":
            return pulumi.output(
                YAML.stringify({
                    values: {
                        aws: {
                            login: {
                                "fn::open::aws-login": {
                                    oidc: { roleArn: access.aws.roleArn, sessionName: access.sessionName, duration: access.aws.duration },
                                },
                            },
                        },
                        environmentVariables: {
                            AWS_ACCESS_KEY_ID: "${aws.login.accessKeyId}",
                            AWS_SECRET_ACCESS_KEY: "${aws.login.secretAccessKey}",
                            AWS_SESSION_TOKEN: "${aws.login.sessionToken}",
                        },
                    },
                }),
            );
        case "gcp":
            return pulumi.output(
                YAML.stringify({
                    values: {
                        gcp: {
                            login: {
                                "fn::open::gcp-login": {
                                    project: Number(access.gcp.projectNumber),
                                    oidc: {
                                        workloadPoolId: access.gcp.workloadPoolId,
                                        providerId: access.gcp.providerId,
                                        serviceAccount: access.gcp.serviceAccount,
                                    },
                                },
                            },
                        },
                        // The Google provider reads the first, gcloud (and so GKE's auth plugin) the second.
                        environmentVariables: { GOOGLE_OAUTH_ACCESS_TOKEN: "${gcp.login.accessToken}", CLOUDSDK_AUTH_ACCESS_TOKEN: "${gcp.login.accessToken}" },
                    },
                }),
            );
        case "azure":
            return pulumi.output(
                YAML.stringify({
                    values: {
                        azure: {
                            login: {
                                "fn::open::azure-login": {
                                    clientId: access.azure.clientId,
                                    tenantId: access.azure.tenantId,
                                    subscriptionId: access.azure.subscriptionId,
                                    oidc: true,
                                },
                            },
                        },
                        environmentVariables: {
                            ARM_USE_OIDC: "true",
                            ARM_CLIENT_ID: "${azure.login.clientId}",
                            ARM_TENANT_ID: "${azure.login.tenantId}",
                            ARM_SUBSCRIPTION_ID: "${azure.login.subscriptionId}",
                            ARM_OIDC_TOKEN: "${azure.login.oidc.token}",
                            AAD_LOGIN_METHOD: "workloadidentity",
                            AZURE_CLIENT_ID: "${azure.login.clientId}",
                            AZURE_TENANT_ID: "${azure.login.tenantId}",
                        },
                        // kubelogin reads the federated token from a file.
                        files: { AZURE_FEDERATED_TOKEN_FILE: "${azure.login.oidc.token}" },
                    },
                }),
            );
        case "kubeconfig":
            if (access.kubeconfig === undefined) {
                // The stack file holds the kubeconfig; the environment is where further secrets go.
                return pulumi.output(YAML.stringify({ values: {} }));
            }
            // ESC keeps the value encrypted; `files` hands it over as a file named by KUBECONFIG.
            return access.kubeconfig.apply((kubeconfig) =>
                YAML.stringify({ values: { kubeconfig: { "fn::secret": kubeconfig }, files: { KUBECONFIG: "${kubeconfig}" } } }),
            );
    }
}
