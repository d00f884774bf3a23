import * as ec2 from "@pulumi/aws/ec2";
import type * as pulumi from "@pulumi/pulumi";
import { cidrSubnet } from "./cidr";
import type { EksClusterArgs } from "./eks";

/**
 * The cluster's VPC: a private and a public subnet per zone, the nodes in the private ones,
 * reaching out through NAT.
 */
export function eksNetwork(name: string, args: Pick<EksClusterArgs, "vpcCidr" | "zones" | "natGateways">, opts: pulumi.CustomResourceOptions) {
    const vpc = new ec2.Vpc(`${name}-vpc`, { cidrBlock: args.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true }, opts);
    const gateway = new ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id }, opts);
    const publicRoutes = new ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }] }, opts);
    // Private subnets take the first eighths of the range (/19 in a /16: room for pod addresses
    // of the VPC CNI), public ones small ranges at its end, for load balancers and NAT only.
    const publicSubnets = args.zones.map((zone, index) => {
        const subnet = new ec2.Subnet(
            `${name}-public-${zone}`,
            {
                vpcId: vpc.id,
                availabilityZone: zone,
                cidrBlock: cidrSubnet(args.vpcCidr, 8, 224 + index),
                mapPublicIpOnLaunch: false,
                tags: { "kubernetes.io/role/elb": "1" },
            },
            opts,
        );
        new ec2.RouteTableAssociation(`${name}-public-${zone}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, opts);
        return subnet;
    });
    const natZones = args.natGateways === "perZone" ? args.zones : args.zones.slice(0, 1);
    const nats = natZones.map((zone, index) => {
        const address = new ec2.Eip(`${name}-nat-${zone}`, { domain: "vpc" }, opts);
        return new ec2.NatGateway(`${name}-nat-${zone}`, { allocationId: address.id, subnetId: publicSubnets[index].id }, { ...opts, dependsOn: [gateway] });
    });
    const privateSubnets = args.zones.map((zone, index) => {
        const subnet = new ec2.Subnet(
            `${name}-private-${zone}`,
            {
                vpcId: vpc.id,
                availabilityZone: zone,
                cidrBlock: cidrSubnet(args.vpcCidr, 3, index),
                mapPublicIpOnLaunch: false,
                tags: { "kubernetes.io/role/internal-elb": "1" },
            },
            opts,
        );
        const nat = nats[Math.min(index, nats.length - 1)];
        const routes = new ec2.RouteTable(`${name}-private-${zone}`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }] }, opts);
        new ec2.RouteTableAssociation(`${name}-private-${zone}`, { subnetId: subnet.id, routeTableId: routes.id }, opts);
        return subnet;
    });
    return { vpc, privateSubnets };
}
