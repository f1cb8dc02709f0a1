// Script-tag entry of the core build: the tracker and the HTTP transport, no plugins.
import { boot } from './script';

boot({});
