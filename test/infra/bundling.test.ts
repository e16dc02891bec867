import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { BatonStack } from '../../lib/baton-stack';
import { functions } from '../../lib/topology/functions';

/** esbuild runs once per function (26), each bundle carrying the SDK: about a minute on two busy cores. */
const BUNDLING_TIMEOUT_MS = 180_000;

describe('function bundling', () => {
  it('bundles each function with esbuild as minified CommonJS that carries the AWS SDK and the Tracer within', {
    timeout: BUNDLING_TIMEOUT_MS,
  }, () => {
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
      // Nothing is left for Lambda's runtime to provide: no SDK package is required at run time (an
      // SDK error message quotes `[require("@aws-sdk/signature-v4-crt");]`).
      expect(code).not.toMatch(/(?<!\[)require\("@aws-sdk\//);

      const sourceMap: { sources: string[] } = JSON.parse(readFileSync(`${bundle}.map`, 'utf8'));
      expect(sourceMap.sources.some((source) => source.endsWith(definition.entry))).toBe(true);
      // Each handler talks to AWS through at least one SDK client, bundled; and traces its calls.
      expect(sourceMap.sources.some((source) => /node_modules\/@aws-sdk\/client-[a-z]+\//.test(source))).toBe(
        true,
      );
      expect(sourceMap.sources.some((source) => source.includes('node_modules/aws-xray-sdk-core/'))).toBe(
        true,
      );
    }
  });
});
