/**
 * The failure converter, in a module of its own because the SDK loads it by path (DataConverter has
 * `failureConverterPath`, not an instance) and bundles it into the workflow sandbox: it must import nothing but
 * @temporalio/common, and in particular not the codec (node:crypto is not available to workflow code).
 *
 * encodeCommonAttributes moves each failure's message and stack trace into an encoded payload, which the payload
 * codec then encrypts; a plain "Encoded failure" placeholder is all the server stores. Exceptions thrown while
 * handling a case routinely quote the data they choked on.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
