import { readFileSync } from "node:fs";
import { BadInputError } from "../errors.js";

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** Looks a user up in /etc/passwd (mariadbd's `--user` needs the same account). */
export function lookUpOsUser(name: string, passwdPath = "/etc/passwd"): OsUser {
  for (const line of readFileSync(passwdPath, "utf8").split("\n")) {
    const [user, , uid, gid] = line.split(":");
    if (user === name && uid !== undefined && gid !== undefined) {
      return { name, uid: Number(uid), gid: Number(gid) };
    }
  }
  throw new BadInputError(
    `the OS user "${name}" that mariadbd runs as does not exist; nothing was started; install mariadb-server or set GALERA_PILOT_SERVER_USER`,
  );
}
