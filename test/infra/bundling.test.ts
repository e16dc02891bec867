import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { BatonStack } from '../../lib/baton-stack';
import { functions } from '../../lib/topology/functions';

describe('function bundling', () => {
  it('bundles each function with esbuild as minified CommonJS that requires the AWS SDK from the runtime', () => {
    const app = new App({
      context: { 'aws:cdk:enable-asset-metadata': true },
      builtinCloudFormationValidation: false,
    });
    const stack = new BatonStack(app, 'Baton-bundling', { stage: 'bundling' });
    const assembly = app.synth();
    const resources = Template.fromStack(stack).toJSON().Resources;

    for (const definition of functions) {
      const fn = stack.orchestrator.functions.get(definition.id)?.function;
      if (!fn) throw new Error(`function ${definition.id} is not deployed`);
      const assetPath =
        resources[stack.getLogicalId(fn.node.defaultChild as CfnFunction)].Metadata['aws:asset:path'];
      const bundle = join(assembly.directory, assetPath, 'index.js');
      expect(existsSync(bundle), bundle).toBe(true);
      const code = readFileSync(bundle, 'utf8');
      // CommonJS: Node built-ins are required where used, not imported before the module runs.
      expect(code).toMatch(/^"use strict";/);
      expect(code).not.toMatch(/^import\b|[;\n]import\s*[{*\w][^(]*from\s*"/m);
      expect(code).toMatch(/\bhandler:\(\)=>/);
      expect(code.length / code.split('\n').length, 'characters per line').toBeGreaterThan(1000);
      // Each handler talks to AWS through at least one SDK client, required from the runtime.
      expect(code).toMatch(/require\("@aws-sdk\/client-[a-z]+"\)/);

      const sourceMap: { sources: string[] } = JSON.parse(readFileSync(`${bundle}.map`, 'utf8'));
      expect(sourceMap.sources.some((source) => source.endsWith(definition.entry))).toBe(true);
      // The X-Ray SDK (under the Tracer) brings its own copy of a table of retryable error codes,
      // no client: it is bundled with the Tracer; every client comes from the runtime.
      const bundledSdk = sourceMap.sources.filter(
        (source) =>
          /node_modules\/(@aws-sdk|@smithy)\//.test(source) &&
          !source.includes('/@smithy/service-error-classification/'),
      );
      expect(bundledSdk).toEqual([]);
      expect(sourceMap.sources.some((source) => source.includes('node_modules/aws-xray-sdk-core/'))).toBe(
        true,
      );
    }
  });
});
