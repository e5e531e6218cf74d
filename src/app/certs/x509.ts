/**
 * The one entry to @peculiar/x509 (pure JavaScript X.509 on WebCrypto): installs the metadata
 * functions its dependency tsyringe needs first, then points it at Node's WebCrypto. Import the
 * library through this module only, so the order is always right.
 */
import "./reflect_metadata.js";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto);

export { x509 };
