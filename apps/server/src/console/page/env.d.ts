// Stylesheets are bundled by esbuild into console.css next to the script.
declare module '*.css';
