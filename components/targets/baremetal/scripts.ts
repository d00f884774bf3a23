import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

// The host scripts are shell files beside this one, run as root through SSH: the remote shell
// reads the script from a here-document, its input as assignments before it, so that nothing
// (the join token) shows in the host's process list.

/** The folder of the scripts: beside this file's source, also when it runs compiled from bin/. */
const folder = [__dirname, path.join(__dirname, "../../../../components/targets/baremetal")].find((dir) => fs.existsSync(path.join(dir, "install.sh")));

export function hostScript(file: string): string {
    if (folder === undefined) {
        throw new Error(`the host scripts of the baremetal target are missing beside ${__dirname}`);
    }
    return fs.readFileSync(path.join(folder, file), "utf8");
}

const delimiter = "APPSTACK_SCRIPT_END";

/** A command line that runs `script` as root with `input` in its environment. */
export function runAsRoot(script: string, input: Record<string, pulumi.Input<string>>): pulumi.Output<string> {
    return pulumi.all(input).apply((values) => {
        const assignments = Object.entries(values).map(([key, value]) => `${key}=${quote(value)}\nexport ${key}\n`);
        return `if [ "$(id -u)" -eq 0 ]; then sh -s; else sudo -n sh -s; fi <<'${delimiter}'\n${assignments.join("")}${script}${script.endsWith("\n") ? "" : "\n"}${delimiter}\n`;
    });
}

/** `value` as one shell word, in single quotes. */
function quote(value: string): string {
    return `'${value.split("'").join(`'\\''`)}'`;
}
