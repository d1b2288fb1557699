@echo off
rem GenoSynth build entry point on Windows: build.cmd <Target> [--spec workflows\NAME.yaml] [--force]
rem Install the .NET 10 SDK and PLINK (plink2, plink1.9) on PATH first; see README.md.
setlocal EnableDelayedExpansion
cd /d "%~dp0"
set TARGET=Evaluate
set SPEC=workflows/1kg-805-haplotypes.yaml
set FORCE=
set FIRST=%~1
if not "%FIRST%"=="" if not "%FIRST:~0,2%"=="--" (set TARGET=%FIRST%& shift)
:parse
if "%~1"=="" goto run
if "%~1"=="--spec" (set SPEC=%~2& shift & shift & goto parse)
if "%~1"=="--force" (set FORCE=-p:ForceStage=%TARGET%& shift & goto parse)
echo error: unknown option %~1
exit /b 2
:run
dotnet msbuild build\Pipeline.proj -nologo -nr:false -v:m -t:%TARGET% -p:Spec=%SPEC% %FORCE%
exit /b %ERRORLEVEL%
