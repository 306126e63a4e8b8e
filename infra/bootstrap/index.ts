/**
 * The Rez Agent account bootstrap (infra/README.md, Deploy): read the config,
 * create the roles, keys and backend settings, export what the next steps
 * need (`pulumi stack output`).
 */
import { createBootstrap } from './bootstrap';
import { loadBootstrapConfig } from './config';

const outputs = createBootstrap(loadBootstrapConfig());

export const backendUrl = outputs.backendUrl;
export const deployRoleArns = outputs.deployRoleArns;
export const previewRoleArn = outputs.previewRoleArn;
export const secretsProviders = outputs.secretsProviders;
