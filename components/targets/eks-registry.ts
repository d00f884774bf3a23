import * as ecr from "@pulumi/aws/ecr";
import type * as kms from "@pulumi/aws/kms";
import type { Provider as AwsProvider } from "@pulumi/aws/provider";
import * as pulumi from "@pulumi/pulumi";
import type { EksClusterArgs } from "./eks";
import type { RegistryProfile } from "./target";

/** The ECR repository beside the cluster: immutable tags, scanned on push, encrypted, expiring. */
export function ecrRegistry(name: string, args: EksClusterArgs, key: kms.Key, opts: pulumi.CustomResourceOptions): RegistryProfile {
    const repository = new ecr.Repository(
        name,
        {
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key.arn }],
            forceDelete: !args.production,
        },
        opts,
    );
    new ecr.LifecyclePolicy(
        name,
        {
            repository: repository.name,
            policy: JSON.stringify({
                rules: [
                    {
                        rulePriority: 1,
                        description: "untagged images go after a week",
                        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
                        action: { type: "expire" },
                    },
                    {
                        rulePriority: 2,
                        description: `keep the last ${args.keepImages} images`,
                        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: args.keepImages },
                        action: { type: "expire" },
                    },
                ],
            }),
        },
        { parent: opts.parent, provider: opts.provider },
    );
    const token = ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent: opts.parent, provider: opts.provider as AwsProvider });
    return {
        repository: repository.repositoryUrl,
        pushCredentials: pulumi.secret(
            token.apply((t) => ({ server: t.proxyEndpoint.replace(/^https:\/\//, ""), username: t.userName, password: t.password })),
        ),
    };
}
