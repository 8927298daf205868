/**
 * Field names for messages: the JSON pointer `/drivers/0/1/channels` reads as `drivers[0][1].channels`,
 * the way a user would write the field in JavaScript. Layer: kernel config.
 */

export function pointerToPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(token)) path += `[${token}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(token)) path += path ? `.${token}` : token;
    else path += `[${JSON.stringify(token)}]`;
  }
  return path || '(top level)';
}
