/**
 * The address announced in PASV replies: a fixed text, or a function of the client's address so
 * LAN clients and internet clients each get the one they can reach. Undefined: the local address
 * of the control connection.
 */
export type PublicAddressOption = string | ((clientAddress: string) => string | Promise<string>);

/** The address to announce to `clientAddress`, falling back to the control connection's local address. */
export async function resolvePublicAddress(
  option: PublicAddressOption | undefined,
  clientAddress: string,
  localAddress: string,
): Promise<string> {
  if (option === undefined) return localAddress;
  if (typeof option === 'string') return option;
  return option(clientAddress);
}
